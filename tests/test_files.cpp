// forkline files, the library: counting against GNU wc, chunk boundaries, log lines, the
// wire format, chunk planning.
#include <doctest/doctest.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "char_class.hpp"
#include "chunk.hpp"
#include "discover.hpp"
#include "files_test.hpp"
#include "json_path.hpp"
#include "name_pattern.hpp"
#include "wire.hpp"

using namespace files_test;

namespace {

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

TEST_CASE("the Windows build's class table says what this glibc's C.UTF-8 says") {
    // class_from_table is class_of on Windows: if glibc's classes change, regenerate it
    // (scripts/char_class_ranges.cpp), or the two builds count words differently.
    std::uint32_t differences = 0;
    for (std::uint32_t cp = 0; cp <= 0x110000; ++cp)
        differences += files::class_from_table(cp) != files::class_of(cp) ? 1 : 0;
    CHECK(differences == 0);
}

TEST_CASE("glob_matches (the Windows build's --pattern) matches as fnmatch does") {
    const char* const patterns[] = {"*",      "*.log",  "a*b*c",  "?",     "??.txt", "[ab]*",
                                    "[!ab]*", "[^ab]*", "[a-c]x", "[]a]",  "[!]]",   "\\*",
                                    "a\\?",   "[",      "a[b",    "*[",    "[a-]",   "x*y*z*",
                                    "*.*.*",  "",       "\\",     "[\\]]", "é*",     "*\xff"};
    const char* const names[] = {"",    "a",      "b",     "ab",   "abc",    "a.log", "x.log.1",
                                 "ax",  "dx",     "]",     "*",    "a?",     "aa",    "[",
                                 "a[b", "x[",     "-",     "xyz",  "xaybzc", "a.b.c", "\\",
                                 "éa",  "ab.txt", "\xffx", "x\xff"};
    for (const std::string pattern : patterns) {
        for (const std::string name : names) {
            CAPTURE(pattern);
            CAPTURE(name);
            CHECK(files::glob_matches(pattern, name) ==
                  (::fnmatch(pattern.c_str(), name.c_str(), 0) == 0));
        }
    }
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

    // Sizes where size * chunk index overflows 64 bits: still contiguous, exact, equal parts.
    const std::vector<files::FileEntry> huge = {{"h", (1ull << 62) + 3, ok, ""}};
    const auto parts = files::plan_chunks(huge, 1ull << 50);
    REQUIRE(parts.size() == (1u << 12) + 1);
    std::uint64_t at = 0;
    for (const auto& part : parts) {
        REQUIRE(part.offset == at);
        REQUIRE(part.length <= 1ull << 50);
        REQUIRE(parts.front().length - part.length <= 1);
        at += part.length;
    }
    CHECK(at == huge[0].size);

    // A tiny chunk size on a big file: no more than kMaxChunksPerFile ranges, still exact.
    const auto capped = files::plan_chunks(huge, 1);
    CHECK(capped.size() == files::kMaxChunksPerFile);
    CHECK(capped.back().offset + capped.back().length == huge[0].size);
}

TEST_CASE("a file that vanished or shrank is an error of its chunk") {
    TempDir dir;
    const auto path = (dir.path() / "f").string();
    write_file(path, "0123456789");
    CHECK(files::analyze_chunk({path, 0, 20, 20}).error.starts_with("file shrank"));
    fs::remove(path);
    CHECK(files::analyze_chunk({path, 0, 10, 10}).error == "No such file or directory");
    // Replaced by a FIFO since it was listed: an error, not an open that blocks for ever.
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    CHECK(files::analyze_chunk({path, 0, 10, 10}).error == "not a regular file any more");
}

TEST_CASE("a file read to its end is one piece, counted as wc counts it, across read blocks") {
    TempDir dir;
    const auto path = (dir.path() / "f").string();
    std::string text;
    for (std::size_t i = 0; text.size() < 1300 * 1024; ++i) {
        text += kTricky[i % kTricky.size()];
        text.push_back(i % 5 == 0 ? '\n' : ' ');
    }
    write_file(path, text);
    const files::ChunkJob whole{path, 0, 0, 0, files::Reading::to_eof};
    const auto r = files::analyze_chunk(whole);
    CHECK(r.error.empty());
    CHECK(counts_of(r.text) == wc_of(text));
    CHECK(r.log == analyze(text).log);
    CHECK(files::decode_job(files::encode_job(whole)).reading == files::Reading::to_eof);

    std::vector<files::FileEntry> entries = {
        {path, 0, files::FileStatus::ok, "", files::Reading::to_eof},
        {"-", 0, files::FileStatus::ok, "", files::Reading::stream}};
    const auto chunks = files::plan_chunks(entries, 10);
    REQUIRE(chunks.size() == 2);
    CHECK(chunks[0].length == 0);
    CHECK(chunks[1].file == 1);

    // Replaced by a FIFO since it was listed: an error, not an open that blocks for ever.
    fs::remove(path);
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    CHECK(files::analyze_chunk(whole).error == "not a regular file any more");
    // A binary file read to its end is found binary, as a split one is.
    write_file(dir.path() / "b", std::string("ab\0c", 4));
    const auto binary =
        files::analyze_chunk({(dir.path() / "b").string(), 0, 0, 0, files::Reading::to_eof});
    CHECK(binary.binary);
    CHECK(binary.binary_offset == 2);
}

TEST_CASE("discover: size 0 and /proc files are read to their end, FIFOs named or walked") {
    TempDir dir;
    write_file(dir.path() / "empty", "");
    write_file(dir.path() / "full", "abc");
    REQUIRE(::mkfifo((dir.path() / "pipe").c_str(), 0600) == 0);
    const auto walked = files::discover({dir.path().string()}, {});
    REQUIRE(walked.size() == 3);
    CHECK(walked[0].reading == files::Reading::to_eof);  // empty
    CHECK(walked[1].reading == files::Reading::range);   // full
    CHECK(walked[2].status == files::FileStatus::skipped);
    const auto named = files::discover({(dir.path() / "pipe").string(), "-", "/proc/version"}, {});
    REQUIRE(named.size() == 3);
    CHECK(named[0].reading == files::Reading::stream);
    CHECK(named[1].reading == files::Reading::stream);
    CHECK(named[2].reading == files::Reading::to_eof);
    CHECK(named[2].status == files::FileStatus::ok);
}

TEST_CASE("JSON paths: valid UTF-8 as is; otherwise \\xNN for invalid bytes and path_hex") {
    const auto json_of = [](const std::string& path) {
        nlohmann::json j;
        files::set_path(j, path);
        return j;
    };
    CHECK(json_of("caf\xc3\xa9 \xf0\x9f\x98\x80") ==
          nlohmann::json{{"path", "caf\xc3\xa9 \xf0\x9f\x98\x80"}});
    // Overlong, a surrogate, past U+10FFFF, a cut sequence, a stray continuation byte.
    CHECK(json_of("a\xc0\x80") == nlohmann::json{{"path", "a\\xC0\\x80"}, {"path_hex", "61c080"}});
    CHECK(json_of("\xed\xa0\x80").at("path") == "\\xED\\xA0\\x80");
    CHECK(json_of("\xf4\x90\x80\x80").at("path") == "\\xF4\\x90\\x80\\x80");
    CHECK(json_of("x\xe2\x82").at("path") == "x\\xE2\\x82");
    CHECK(json_of("\x80y\xc3\xa9").at("path") == "\\x80y\xc3\xa9");
    CHECK(json_of("\x80y\xc3\xa9").at("path_hex") == "8079c3a9");
    CHECK(files::utf8_sequence("\xf4\x8f\xbf\xbf") == 4);  // U+10FFFF
    CHECK(files::utf8_sequence("\xef\xbf\xbd") == 3);
    CHECK(files::utf8_sequence("") == 0);
}
