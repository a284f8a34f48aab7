// Log-line analysis: the level of each line (ERROR, WARN, INFO, DEBUG) and how often each
// error message occurs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace files {

enum Level : std::uint8_t { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3, kNoLevel = 4 };
constexpr std::array<const char*, 4> kLevelNames = {"ERROR", "WARN", "INFO", "DEBUG"};

// A line's level is the first of its first 6 words, within its first kLevelWindow bytes,
// that is ERROR, WARN, WARNING, INFO or DEBUG (upper case), optionally after '[', '<' or
// '(' and followed by a non-letter: "2026-11-26 12:00:01 ERROR [db] …", "[WARN] …",
// "INFO: …". Everything after the level word and separators (" :-]>)|") is the message.
constexpr std::size_t kLevelWindow = 64;
constexpr int kLevelWords = 6;
// Messages are cut at this many bytes (on a character boundary), and runs of digits are
// shown as one '#', so "timeout after 30 s (id 12)" and "… 45 s (id 13)" count together.
constexpr std::size_t kMessageMax = 120;
// Bytes of a line looked at: a range reads this far past its end to finish its last line.
constexpr std::size_t kLinePrefix = 256;

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using MessageCounts = std::unordered_map<std::string, std::uint64_t, StringHash, std::equal_to<>>;

struct LogCounts {
    std::array<std::uint64_t, 4> levels{};  // lines per level
    MessageCounts errors;                   // normalized ERROR message -> lines
    // Error lines whose messages were dropped from `errors` to bound a result's size.
    std::uint64_t dropped_errors = 0;

    bool operator==(const LogCounts&) const = default;
};

// Analyzes the line starting at `line` (at most `size` bytes of it are readable; it ends at
// the first '\n' or there).
void analyze_line(const unsigned char* line, std::size_t size, LogCounts& counts,
                  std::string& scratch);

// Adds `more` to `counts`.
void add(LogCounts& counts, const LogCounts& more);

struct MessageCount {
    std::string message;
    std::uint64_t count;
    bool operator==(const MessageCount&) const = default;
};
// The `n` most frequent messages, most frequent first (ties: alphabetical).
std::vector<MessageCount> top_messages(const MessageCounts& messages, std::size_t n);

}  // namespace files
