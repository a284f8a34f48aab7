// forkline files end to end, through the forkline binary, on generated trees.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "files_test.hpp"
#include "other_user.hpp"
#include "write_errors.hpp"

using namespace files_test;
using test_support::run_command;

namespace {

// `forkline files ARGS…`, run by `tool` (a copy of forkline) after `prefix` (setpriv …).
test_support::CommandResult forkline_files(std::vector<std::string> args,
                                           const std::vector<std::string>& prefix = {},
                                           const std::string& tool = FORKLINE_PATH,
                                           const std::string& input = {}) {
    args.insert(args.begin(), {tool, "files", "--no-progress"});
    args.insert(args.begin(), prefix.begin(), prefix.end());
    return run_command(args, input, std::chrono::seconds(120));
}

Wc wc_file(const fs::path& path) {
    const auto r = run_command({"/usr/bin/env", "LC_ALL=C.UTF-8", "wc", "-lwmc", path.string()});
    REQUIRE(r.code == 0);
    return parse_wc(r.out);
}

Wc json_counts(const nlohmann::json& j) {
    return {j.at("lines"), j.at("words"), j.at("chars"), j.at("bytes")};
}

const nlohmann::json& file_in(const nlohmann::json& report, const fs::path& path) {
    for (const auto& f : report.at("files"))
        if (f.at("path") == path.string()) return f;
    FAIL("no entry for " << path);
    throw std::logic_error("unreachable");
}

std::string log_lines(std::size_t bytes, unsigned seed) {
    std::mt19937 random(seed);
    const char* levels[] = {"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"};
    const char* messages[] = {"connection refused to db-", "caf\xc3\xa9 timeout after ",
                              "disk full on /var/", "user\xc2\xa0logged in as "};
    std::string out;
    while (out.size() < bytes) {
        out += "2026-11-26T02:54:" + std::to_string(random() % 60) + "Z " + levels[random() % 6] +
               " [svc] " + messages[random() % 4] + std::to_string(random() % 100) + "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("a generated tree: counts as wc, names with spaces, empty files, --pattern, JSON") {
    TempDir dir;
    const auto root = dir.path();
    fs::create_directories(root / "sub dir" / "deeper");
    const std::vector<fs::path> logs = {root / "a.log", root / "sub dir" / "with space.log",
                                        root / "sub dir" / "deeper" / "empty.log",
                                        root / "sub dir" / "deeper" / "utf8.log"};
    write_file(logs[0], log_lines(300000, 1));
    write_file(logs[1], log_lines(100000, 2) + "no newline at the end");
    write_file(logs[2], "");
    write_file(logs[3], kTricky[8] + kTricky[9] + kTricky[10] + "\n" + kTricky.back());
    write_file(root / "notes.txt", "not a log\n");

    for (const std::string chunk : {"32M", "1000", "7"}) {
        CAPTURE(chunk);
        const auto json_path = root / "out.json";
        const auto r =
            forkline_files({root.string(), "--pattern", "*.log", "-j", "2", "--chunk-size", chunk,
                            "--json", "--output", json_path.string()});
        CHECK(r.code == 0);
        const auto report = nlohmann::json::parse(r.out);
        CHECK(nlohmann::json::parse(std::ifstream(json_path)) == report);
        CHECK(report.at("files").size() == logs.size());  // notes.txt filtered out
        Wc total{};
        for (const auto& log : logs) {
            const auto& f = file_in(report, log);
            INFO(f.dump());  // the reason, should it have failed
            CHECK(f.at("status") == "ok");
            CHECK(json_counts(f) == wc_file(log));
            const Wc w = wc_file(log);
            total = {total.lines + w.lines, total.words + w.words, total.chars + w.chars,
                     total.bytes + w.bytes};
        }
        CHECK(json_counts(report.at("totals")) == total);
        const auto& a = file_in(report, logs[0]);
        const auto grep = run_command({"/usr/bin/grep", "-c", " ERROR ", logs[0].string()});
        CHECK(a.at("levels").at("ERROR") == std::stoull(grep.out));
        CHECK(a.at("top_errors").size() == 4);
        CHECK(a.at("top_errors_exact") == true);
    }

    // The table: a row per file and the total, as wc prints them.
    const auto table = forkline_files({logs[0].string(), logs[1].string()});
    CHECK(table.code == 0);
    CHECK(table.out.find(logs[1].string()) != std::string::npos);
    CHECK(table.out.find("2 files counted, 0 binary, 0 skipped, 0 failed") != std::string::npos);
}

TEST_CASE("the worker processes count tests/data/files_tree as files_tree.json says") {
    // files_tree.json is what the Windows build must count too (test_files_tree).
    const std::string data = TEST_DATA_DIR;
    const auto r = run_command({FORKLINE_PATH, "files", "--json", "-j", "2", data + "/files_tree"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    auto report = nlohmann::json::parse(r.out);
    for (auto& file : report.at("files"))
        file["path"] = file.at("path").get<std::string>().substr(data.size() + 1);
    std::ifstream expected(data + "/files_tree.json");
    CHECK(report == nlohmann::json::parse(expected));
}

TEST_CASE("a 200 MB file is split into chunks and counted as wc counts it") {
    TempDir dir;
    const auto path = dir.path() / "big log.log";
    {
        const std::string block = log_lines(1 << 20, 3);
        std::ofstream out(path, std::ios::binary);
        for (int i = 0; i < 200; ++i) out << block;
    }
    const auto r = forkline_files({path.string(), "-j", "2", "--chunk-size", "16M", "--json"});
    CHECK(r.code == 0);
    const auto report = nlohmann::json::parse(r.out);
    CHECK(json_counts(file_in(report, path)) == wc_file(path));
    const auto bench = forkline_files({path.string(), "-j", "2", "--benchmark"});
    CHECK(bench.code == 0);
    CHECK(bench.out.find("counts agree across modes") != std::string::npos);
}

TEST_CASE("unreadable, vanished and binary files are reported; the others still counted") {
    TempDir dir;
    const auto root = dir.path();
    write_file(root / "good.log", "INFO fine\n");
    write_file(root / "secret.log", "ERROR hidden\n");
    ::chmod((root / "secret.log").c_str(), 0);
    write_file(root / "image.bin", std::string("PNG\0\x01\x02", 6));
    fs::create_symlink("loop.log", root / "loop.log");  // ELOOP, for root as well
    const auto gone = root / "gone.log";

    // Root reads any file whatever its mode: run the tool as nobody then, so that the
    // permission check is real either way (a copy nobody can reach: see other_user.hpp).
    const bool root_user = ::geteuid() == 0;
    const auto copy = root_user ? std::make_unique<test_support::ReachableTools>(
                                      FORKLINE_PATH, std::vector<std::string>{"files_worker"})
                                : nullptr;
    const auto r = root_user ? forkline_files({root.string(), gone.string(), "--json"},
                                              test_support::kAsNobody, copy->tool())
                             : forkline_files({root.string(), gone.string(), "--json"});
    CHECK(r.code == 1);
    CHECK(r.err.find("3 of 5 files could not be read") != std::string::npos);
    const auto report = nlohmann::json::parse(r.out);
    CHECK(file_in(report, root / "good.log").at("status") == "ok");
    CHECK(file_in(report, root / "secret.log").at("reason") == "Permission denied");
    CHECK(file_in(report, root / "loop.log").at("reason") == "Too many levels of symbolic links");
    CHECK(file_in(report, gone).at("reason") == "No such file or directory");
    CHECK(file_in(report, root / "image.bin").at("status") == "binary");
    CHECK(file_in(report, root / "image.bin").at("reason") == "NUL byte at offset 3");
    CHECK(report.at("totals").at("failed") == 3);
    CHECK(report.at("totals").at("binary") == 1);
    CHECK(report.at("totals").at("lines") == 1);

    // A binary file alone is reported but is no failure.
    const auto binary = forkline_files({(root / "image.bin").string()});
    CHECK(binary.code == 0);
    CHECK(binary.out.find("(binary: NUL byte at offset 3)") != std::string::npos);
}

TEST_CASE("the table shows control characters of file names as '?', JSON keeps them") {
    TempDir dir;
    const auto path = dir.path() / "evil\033[2J\nname.log";
    write_file(path, "ERROR \033]0;title\007 x\n");
    const auto table = forkline_files({path.string()});
    CHECK(table.code == 0);
    CHECK(table.out.find("evil?[2J?name.log") != std::string::npos);
    CHECK(table.out.find("?]#;title? x") != std::string::npos);  // the error message
    CHECK(table.out.find('\033') == std::string::npos);
    const auto json = forkline_files({path.string(), "--json"});
    CHECK(nlohmann::json::parse(json.out).at("files").at(0).at("path") == path.string());
}

TEST_CASE("bad usage: one line, exit 2") {
    for (const auto& args : std::vector<std::vector<std::string>>{{"-j", "0"},
                                                                  {"--mode", "fast"},
                                                                  {"--chunk-size", "1X"},
                                                                  {"--bogus"},
                                                                  {"--mode", "all"},
                                                                  {"--benchmark", "--json"},
                                                                  {"--pattern"}}) {
        const auto r = forkline_files(args);
        CAPTURE(args.front());
        CHECK(r.code == 2);
        CHECK(r.err.starts_with("forkline files: error: "));
        CHECK(r.err.ends_with("(see forkline files --help)\n"));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    const auto help = forkline_files({"--help"});
    CHECK(help.code == 0);
    CHECK(help.out.starts_with("usage: forkline files"));

    const auto unwritable = forkline_files({"--output", "/nonexistent-dir/x.json", "."});
    CHECK(unwritable.code == 1);
    CHECK(unwritable.err ==
          "forkline files: error: cannot write '/nonexistent-dir/x.json': No such file or "
          "directory\n");
}

TEST_CASE("--progress draws a bar on stderr and clears it; --mode seq and threads agree") {
    TempDir dir;
    write_file(dir.path() / "a.log", log_lines(100000, 4));
    const auto shown = run_command({FORKLINE_PATH, "files", "--progress", "--chunk-size", "10K",
                                    "--json", dir.path().string()});
    CHECK(shown.code == 0);
    CHECK(shown.err.find("chunks") != std::string::npos);
    CHECK(shown.err.ends_with("\r\033[K"));
    const auto report = nlohmann::json::parse(shown.out);
    for (const std::string mode : {"seq", "threads"}) {
        const auto r = forkline_files({"--mode", mode, "--json", dir.path().string()});
        CHECK(nlohmann::json::parse(r.out) == report);
    }
}

TEST_CASE(
    "files whose size says nothing are read to their end, as wc: /proc, /sys, stdin, a FIFO") {
    // /proc/version: size 0 in stat, content on read (as /proc/cpuinfo, whose figures move).
    for (const char* pseudo : {"/proc/version", "/sys/kernel/mm/transparent_hugepage/enabled",
                               "/sys/devices/system/cpu/online"}) {
        if (!fs::exists(pseudo)) continue;
        CAPTURE(pseudo);
        const auto r = forkline_files({pseudo, "--json"});
        INFO(r.err);
        REQUIRE(r.code == 0);
        const auto counted = json_counts(file_in(nlohmann::json::parse(r.out), pseudo));
        CHECK(counted == wc_file(pseudo));
        CHECK(counted.bytes > 0);
    }

    // Standard input, longer than a read block, tricky text across the block boundaries.
    std::string text;
    for (std::size_t i = 0; text.size() < 3 * 512 * 1024 + 1000; ++i) {
        text += kTricky[i % kTricky.size()];
        text.push_back(i % 7 == 0 ? '\n' : ' ');
    }
    for (const char* mode : {"procs", "seq"}) {
        CAPTURE(mode);
        const auto r = forkline_files({"-", "--json", "--mode", mode}, {}, FORKLINE_PATH, text);
        INFO(r.err);
        REQUIRE(r.code == 0);
        const auto report = nlohmann::json::parse(r.out);
        CHECK(report.at("files").at(0).at("path") == "-");
        CHECK(json_counts(report.at("files").at(0)) == wc_of(text));
    }

    // A FIFO named is read (its writer bounded by timeout: nothing is left if it is not);
    // one found in a directory is skipped, with the reason.
    TempDir dir;
    const auto fifo = dir.path() / "pipe";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const std::string data = "2026 ERROR x\nsome words\n";
    const auto named = run_command(
        {"/bin/sh", "-c",
         "timeout 60 sh -c 'printf %s \"$1\" > \"$2\"' sh \"$1\" \"$2\" & exec \"$0\" files "
         "--no-progress --json \"$2\"",
         FORKLINE_PATH, data, fifo.string()});
    INFO(named.err);
    REQUIRE(named.code == 0);
    const auto read = file_in(nlohmann::json::parse(named.out), fifo);
    CHECK(json_counts(read) == wc_of(data));
    CHECK(read.at("levels").at("ERROR") == 1);
    const auto walked = forkline_files({dir.path().string(), "--json"});
    CHECK(walked.code == 0);
    CHECK(file_in(nlohmann::json::parse(walked.out), fifo).at("status") == "skipped");
    CHECK(file_in(nlohmann::json::parse(walked.out), fifo).at("reason") ==
          "FIFO, read only when named");
}

TEST_CASE("--json: a path that is not UTF-8 shows \\xNN and keeps its bytes in path_hex") {
    TempDir dir;
    // Two names that would print alike if invalid bytes became U+FFFD, and a name whose
    // valid UTF-8 spells the escape itself.
    const std::string base = dir.path().string() + "/";
    const std::vector<std::string> names = {base + "a\xff.log", base + "a\xfe.log",
                                            base + "a\\xFF.log", base + "caf\xc3\xa9.log"};
    for (const auto& name : names) write_file(name, "x\n");
    const auto r = forkline_files({dir.path().string(), "--json"});
    REQUIRE(r.code == 0);
    const auto report = nlohmann::json::parse(r.out);
    std::vector<std::string> exact;
    for (const auto& f : report.at("files")) {
        const std::string shown = f.at("path");
        CHECK(shown.find("\xef\xbf\xbd") == std::string::npos);  // no U+FFFD
        if (!f.contains("path_hex")) {
            exact.push_back(shown);
            continue;
        }
        const std::string hex = f.at("path_hex");
        std::string bytes;
        for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
            bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
        exact.push_back(bytes);
    }
    std::sort(exact.begin(), exact.end());
    auto expected = names;
    std::sort(expected.begin(), expected.end());
    CHECK(exact == expected);
    CHECK(file_in(report, base + "a\\xFF.log").contains("path_hex") == false);
    CHECK(file_in(report, base + "caf\xc3\xa9.log").contains("path_hex") == false);
    int escaped = 0;
    for (const auto& f : report.at("files")) escaped += f.at("path") == base + "a\\xFF.log";
    CHECK(escaped == 2);  // the invalid byte's form and the valid name, told apart by path_hex
}

TEST_CASE("a failed write of the output is one line and exit 1; a closed pipe is quiet") {
    TempDir dir;
    write_file(dir.path() / "a.log", "INFO ok\n");
    const std::string path = (dir.path() / "a.log").string();
    test_support::check_write_errors("forkline files",
                                     {{FORKLINE_PATH, "files", "--no-progress", "--top=5", path},
                                      {FORKLINE_PATH, "files", "--no-progress", "--json", path}});
    const auto output = forkline_files({"--json", "--output", "/dev/full", path});
    CHECK(output.code == 1);
    CHECK(output.err ==
          "forkline files: error: cannot write '/dev/full': No space left on device\n");

    // More rows than a pipe holds: forkline writes after head has gone.
    for (int i = 0; i < 3000; ++i) write_file(dir.path() / std::to_string(i), "");
    const auto piped = run_command({"/bin/bash", "-c",
                                    "\"$0\" files --no-progress \"$1\" | head -1; "
                                    "echo \"${PIPESTATUS[0]}\" >&2",
                                    FORKLINE_PATH, dir.path().string()});
    CHECK(piped.out.starts_with("     lines"));
    CHECK(piped.err == "141\n");  // 128 + SIGPIPE, and nothing said
}

TEST_CASE("options: -j/--workers, --version, -- before paths, contradictions") {
    TempDir dir;
    write_file(dir.path() / "-j", "a b\n");
    const auto r = run_command({FORKLINE_PATH, "files", "--no-progress", "--workers=2", "--json",
                                "--", (dir.path() / "-j").string()});
    CHECK(r.code == 0);
    const auto version = forkline_files({"--version"});
    CHECK(version.code == 0);
    CHECK(version.out.starts_with("forkline files (forkline) "));
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"-j", "4097"}, {"--progress", "--no-progress"}, {"--benchmark", "-"}}) {
        const auto bad = run_command({FORKLINE_PATH, "files", args[0], args[1]});
        CAPTURE(args[0]);
        CHECK(bad.code == 2);
        CHECK(bad.err.starts_with("forkline files: error: "));
    }
}
