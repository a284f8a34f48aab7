// forkline files end to end, through the forkline binary, on generated trees.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "files_test.hpp"

using namespace files_test;
using test_support::run_command;

namespace {

test_support::CommandResult forkline_files(std::vector<std::string> args,
                                           const std::vector<std::string>& prefix = {}) {
    args.insert(args.begin(), {FORKLINE_PATH, "files", "--no-progress"});
    args.insert(args.begin(), prefix.begin(), prefix.end());
    return run_command(args, {}, std::chrono::seconds(120));
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
    // permission check is real either way.
    std::vector<std::string> prefix;
    if (::geteuid() == 0)
        prefix = {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"};
    const auto r = forkline_files({root.string(), gone.string(), "--json"}, prefix);
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
