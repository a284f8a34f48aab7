// What the tests of `forkline files` share: GNU wc as the reference, scratch directories,
// tricky inputs.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_command.hpp"

namespace files_test {

namespace fs = std::filesystem;

struct Wc {
    std::uint64_t lines, words, chars, bytes;
    bool operator==(const Wc&) const = default;
};

inline Wc parse_wc(const std::string& line) {
    Wc w{};
    std::istringstream in(line);
    in >> w.lines >> w.words >> w.chars >> w.bytes;
    return w;
}

// GNU wc's counts of `data` (through stdin).
inline Wc wc_of(const std::string& data) {
    const auto r =
        test_support::run_command({"/usr/bin/env", "LC_ALL=C.UTF-8", "wc", "-lwmc"}, data);
    REQUIRE(r.code == 0);
    return parse_wc(r.out);
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

inline void write_file(const fs::path& path, const std::string& data) {
    std::ofstream(path, std::ios::binary) << data;
}

inline const std::vector<std::string> kTricky = {
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

}  // namespace files_test
