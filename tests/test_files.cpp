// forkline files: counting against GNU wc, chunk boundaries, log lines, the wire format,
// and the tool end to end on generated trees.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "chunk.hpp"
#include "discover.hpp"
#include "run_command.hpp"
#include "wire.hpp"

using test_support::run_command;
namespace fs = std::filesystem;

namespace {

struct Wc {
    std::uint64_t lines, words, chars, bytes;
    bool operator==(const Wc&) const = default;
};

Wc parse_wc(const std::string& line) {
    Wc w{};
    std::istringstream in(line);
    in >> w.lines >> w.words >> w.chars >> w.bytes;
    return w;
}

// GNU wc's counts of `data` (through stdin).
Wc wc_of(const std::string& data) {
    const auto r = run_command({"/usr/bin/env", "LC_ALL=C.UTF-8", "wc", "-lwmc"}, data);
    REQUIRE(r.code == 0);
    return parse_wc(r.out);
}

const unsigned char* bytes_of(const std::string& s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

files::ChunkResult analyze(const std::string& data) {
    files::ChunkResult r;
    files::analyze_bytes(bytes_of(data), data.size(), data.size(), true, r);
    return r;
}

Wc counts_of(const files::TextCounts& t) {
    return {t.lines, t.words, t.chars, t.bytes};
}

// `data` cut at `cuts` (ascending), each piece analyzed alone as a worker would, merged.
files::ChunkResult analyze_split(const std::string& data, const std::vector<std::size_t>& cuts) {
    files::ChunkResult sum;
    std::size_t begin = 0;
    for (std::size_t i = 0; i <= cuts.size(); ++i) {
        const std::size_t end = i < cuts.size() ? cuts[i] : data.size();
        files::ChunkResult piece;
        const bool line_start = begin == 0 || data[begin - 1] == '\n';
        files::analyze_bytes(bytes_of(data) + begin, end - begin, data.size() - begin, line_start,
                             piece);
        sum.text = files::merge(sum.text, piece.text);
        files::add(sum.log, piece.log);
        begin = end;
    }
    return sum;
}

class TempDir {
  public:
    TempDir() {
        char path[] = "/tmp/forkline-files-test-XXXXXX";
        REQUIRE(::mkdtemp(path) != nullptr);
        path_ = path;
        fs::permissions(path_, fs::perms(0755));  // readable by `nobody` (see below)
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

void write_file(const fs::path& path, const std::string& data) {
    std::ofstream(path, std::ios::binary) << data;
}

const std::vector<std::string> kTricky = {
    "",
    "a",
    "hello world\n",
    "no trailing newline",
    "  leading and trailing  \n\n",
    "crlf line\r\nnext\r\n",
    "tabs\tand\vvertical\fform feed",
    "a\x01"
    "b \x01 c \x7f d",  // controls neither start nor end words
    "caf\xc3\xa9 na\xc3\xafve \xe2\x82\xac 100 \xf0\x9f\x98\x80!",
    "a\xc2\xa0"
    "b c\xe2\x80\x87"
    "d e\xe3\x80\x80"
    "f g\xe2\x80\xa8h",  // nbsp, U+3000, U+2028
    "bad \xff bytes \xc3 cut \xe2\x82 x \xed\xa0\x80 surrogate \xc0\x80 overlong",
    "\xf4\x90\x80\x80 beyond \xf8\x88\x80\x80\x80 five \xfc\x84\x80\x80\x80\x80 six",
    "ends in a cut char \xe2\x82",
    "\x80\x80 starts with continuation bytes",
    "2026-01-01 00:00:01 ERROR [db] timeout after 30 s\n[WARN] disk\nINFO: ok\nx DEBUG y\n",
};

}  // namespace

TEST_CASE("counts match GNU wc on tricky text") {
    for (const auto& text : kTricky) {
        CAPTURE(text);
        CHECK(counts_of(analyze(text).text) == wc_of(text));
    }
}

TEST_CASE("every code point is classified as wc does") {
    // Each code point between letters and between spaces: a word character joins "a" and
    // "b", a separator splits them, a neutral one does neither but is no word by itself.
    std::string joined, alone;
    for (std::uint32_t cp = 0x80; cp <= 0x10FFFF; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        char utf8[4];
        std::size_t n = 0;
        if (cp < 0x800) {
            utf8[0] = static_cast<char>(0xC0 | (cp >> 6)), n = 2;
        } else if (cp < 0x10000) {
            utf8[0] = static_cast<char>(0xE0 | (cp >> 12)), n = 3;
        } else {
            utf8[0] = static_cast<char>(0xF0 | (cp >> 18)), n = 4;
        }
        for (std::size_t i = 1; i < n; ++i)
            utf8[i] = static_cast<char>(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3F));
        const std::string c(utf8, n);
        joined += "a" + c + "b\n";
        alone += " " + c + " \n";
    }
    CHECK(counts_of(analyze(joined).text) == wc_of(joined));
    CHECK(counts_of(analyze(alone).text) == wc_of(alone));
}

TEST_CASE("random bytes: counts match wc, and any split gives the same counts") {
    std::mt19937 random(42);
    // Mostly text-like bytes, with UTF-8 lead and continuation bytes and controls mixed in.
    const std::string alphabet = std::string("ab \n\t\r\x01\x00\x7f", 10) + "\xc3\xa9\xe2\x82\xac" +
                                 "\xf0\x9f\x98\x80\xff\xc0\x80\xed\xa0";
    std::string data;
    for (int i = 0; i < 200000; ++i) data += alphabet[random() % alphabet.size()];
    CHECK(counts_of(analyze(data).text) == wc_of(data));
    const auto whole = analyze(data);
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<std::size_t> cuts = {random() % data.size(), random() % data.size()};
        std::sort(cuts.begin(), cuts.end());
        CHECK(analyze_split(data, cuts) == whole);
    }
}

TEST_CASE("UTF-8 text in long runs (the 64-byte fast path): as wc, whatever the cuts") {
    std::mt19937 random(7);
    const std::vector<std::string> tokens = {"word",
                                             " ",
                                             "\n",
                                             "caf\xc3\xa9",
                                             "\xe6\x97\xa5\xe6\x9c\xac",
                                             "\xf0\x9f\x98\x80",
                                             "\xe2\x80\x94",
                                             "\xc2\xa0",
                                             "x",
                                             "\xe2\x80\xa8",
                                             "  ",
                                             "\t"};
    std::string data;
    while (data.size() < 300000) {
        // Mostly word characters, so that many 64-byte blocks have no neutral character.
        const auto k = random() % 100;
        data += tokens[k < 90 ? k % 7 : 7 + k % 5];
    }
    CHECK(counts_of(analyze(data).text) == wc_of(data));
    const auto whole = analyze(data);
    for (std::size_t cut = 0; cut < 300; ++cut)
        CHECK(analyze_split(data, {cut, cut + 64}) == whole);
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<std::size_t> cuts = {random() % data.size(), random() % data.size()};
        std::sort(cuts.begin(), cuts.end());
        CHECK(analyze_split(data, cuts) == whole);
    }
}

TEST_CASE("a cut inside a character, a word, a log line, CRLF: every cut point") {
    for (const auto& text : kTricky) {
        const auto whole = analyze(text);
        for (std::size_t cut = 0; cut <= text.size(); ++cut) {
            CAPTURE(text);
            CAPTURE(cut);
            CHECK(analyze_split(text, {cut}) == whole);
            CHECK(analyze_split(text, {cut / 2, cut}) == whole);
        }
    }
}

TEST_CASE("log levels and error messages") {
    const std::string log =
        "2026-01-01 00:00:01.5 ERROR [db] timeout after 30 s (id 12)\n"
        "2026-01-01 00:00:02 ERROR [db] timeout after 45 s (id 13)\r\n"
        "[ERROR] disk full\n"
        "<WARNING> low memory\n"
        "WARN: x\n"
        "INFO\n"
        "host app[12]: DEBUG: y\n"
        "ERRORS is not a level word\n"
        "INFORMATION is not a level word\n"
        "one two three four five six ERROR too late\n"
        "error lower case is not a level\n"
        "ERROR:\n";
    const auto r = analyze(log);
    // Lines of 64 bytes and more take a SIMD path, shorter ones (here at the end of the
    // input) a byte-by-byte one: both must agree.
    CHECK(analyze(log + std::string(64, '\n')).log == r.log);
    files::ChunkResult by_line;
    for (const auto& line : test_support::lines_of(log)) {
        const auto one = analyze(line + "\n");
        files::add(by_line.log, one.log);
    }
    CHECK(by_line.log == r.log);
    CHECK(r.log.levels[files::kError] == 4);
    CHECK(r.log.levels[files::kWarn] == 2);
    CHECK(r.log.levels[files::kInfo] == 1);
    CHECK(r.log.levels[files::kDebug] == 1);
    const auto top = files::top_messages(r.log.errors, 5);
    REQUIRE(top.size() == 3);
    CHECK(top[0] == files::MessageCount{"[db] timeout after # s (id #)", 2});
    CHECK(top[1] == files::MessageCount{"(no message)", 1});
    CHECK(top[2] == files::MessageCount{"disk full", 1});

    const std::string long_line = "ERROR " + std::string(118, 'x') + "\xc3\xa9\xc3\xa9 tail\n";
    const auto cut = files::top_messages(analyze(long_line).log.errors, 1);
    CHECK(cut.at(0).message == std::string(118, 'x') + "\xc3\xa9");
}

TEST_CASE("results survive the wire, bounded in size") {
    files::ChunkResult r = analyze(kTricky.back());
    r.error = "";
    std::vector<std::byte> out(files::kMaxResultSize);
    CHECK(files::decode_result(std::span(out.data(), files::encode_result(r, out))) == r);

    for (int i = 0; i < 1000; ++i)
        r.log.errors["message " + std::to_string(i) + std::string(100, 'y')] = 1;
    r.log.errors["frequent"] = 50;
    const auto back = files::decode_result(std::span(out.data(), files::encode_result(r, out)));
    CHECK(back.log.errors.size() == files::kMaxMessagesPerResult);
    CHECK(back.log.errors.at("frequent") == 50);
    CHECK(back.log.dropped_errors == 1000 + 2 - files::kMaxMessagesPerResult);  // + the log line

    const files::ChunkJob job{"a path with spaces", 5, 7, 12};
    const auto decoded = files::decode_job(files::encode_job(job));
    CHECK(decoded.path == job.path);
    CHECK(decoded.offset == 5);
    CHECK(decoded.length == 7);
    CHECK(decoded.file_size == 12);
}

TEST_CASE("chunk planning covers each file exactly") {
    const auto ok = files::FileStatus::ok;
    std::vector<files::FileEntry> entries = {
        {"a", 0, ok, ""}, {"b", 10, ok, ""}, {"c", 100, ok, ""}, {"d", 5, ok, ""}};
    entries[3].status = files::FileStatus::failed;
    const auto chunks = files::plan_chunks(entries, 30);
    REQUIRE(chunks.size() == 1 + 1 + 4);
    CHECK(chunks[0].length == 0);
    std::uint64_t next = 0;
    for (std::size_t i = 2; i < chunks.size(); ++i) {
        CHECK(chunks[i].file == 2);
        CHECK(chunks[i].offset == next);
        CHECK(chunks[i].length <= 30);
        next += chunks[i].length;
    }
    CHECK(next == 100);
}

TEST_CASE("a file that vanished or shrank is an error of its chunk") {
    TempDir dir;
    const auto path = (dir.path() / "f").string();
    write_file(path, "0123456789");
    CHECK(files::analyze_chunk({path, 0, 20, 20}).error.starts_with("file shrank"));
    fs::remove(path);
    CHECK(files::analyze_chunk({path, 0, 10, 10}).error == "No such file or directory");
}

// ---- end to end, through the forkline binary ----

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

TEST_CASE("bad usage: one line, exit 2") {
    for (const auto& args : std::vector<std::vector<std::string>>{{"-j", "0"},
                                                                  {"--mode", "fast"},
                                                                  {"--chunk-size", "1X"},
                                                                  {"--bogus"},
                                                                  {"--mode", "all"},
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
