#include "log_lines.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <initializer_list>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace files {

namespace {

struct LevelName {
    std::string_view name;
    Level level;
};
constexpr LevelName kNames[] = {
    {"ERROR", kError}, {"WARNING", kWarn}, {"WARN", kWarn}, {"INFO", kInfo}, {"DEBUG", kDebug}};

bool is_blank(unsigned char c) {
    return c == ' ' || c == '\t';
}
bool is_letter(unsigned char c) {
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

// The level named by the word at `at` (after one opening bracket, which must leave the name
// starting inside the window), or kNoLevel; *after is where the name ends.
Level level_at(const unsigned char* line, std::size_t at, std::size_t window, std::size_t size,
               std::size_t* after) {
    if (line[at] == '[' || line[at] == '<' || line[at] == '(') ++at;
    if (at >= window) return kNoLevel;
    const unsigned char first = line[at];
    if (first != 'E' && first != 'W' && first != 'I' && first != 'D') return kNoLevel;
    for (const auto& [name, level] : kNames) {
        if (size - at < name.size() || std::memcmp(line + at, name.data(), name.size()) != 0)
            continue;
        const std::size_t next = at + name.size();
        if (next < size && is_letter(line[next])) continue;
        *after = next;
        return level;
    }
    return kNoLevel;
}

Level find_level_scalar(const unsigned char* line, std::size_t size, std::size_t* after) {
    const std::size_t window = std::min(size, kLevelWindow);
    std::size_t p = 0;
    for (int word = 0; word < kLevelWords && p < window; ++word) {
        while (p < window && is_blank(line[p])) ++p;
        if (p >= window || line[p] == '\n') return kNoLevel;
        const Level level = level_at(line, p, window, size, after);
        if (level != kNoLevel) return level;
        while (p < window && !is_blank(line[p]) && line[p] != '\n') ++p;
    }
    return kNoLevel;
}

#if defined(__SSE2__)
std::uint64_t mask_of(const unsigned char* p, std::initializer_list<char> bytes) {
    std::uint64_t mask = 0;
    for (int i = 0; i < 4; ++i) {
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
        __m128i any = _mm_setzero_si128();
        for (const char c : bytes) any = _mm_or_si128(any, _mm_cmpeq_epi8(b, _mm_set1_epi8(c)));
        mask |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(any)))
                << (16 * i);
    }
    return mask;
}

// The same rule on the first 64 bytes at once: most lines have one candidate word or none,
// so no byte-by-byte walk over timestamps and host names.
Level find_level_64(const unsigned char* line, std::size_t size, std::size_t* after) {
    static_assert(kLevelWindow == 64);
    const std::uint64_t nonblank = ~mask_of(line, {' ', '\t'});
    const std::uint64_t word_start = nonblank & ~(nonblank << 1);
    const std::uint64_t open = mask_of(line, {'[', '<', '('}) & word_start;
    const std::uint64_t newline = mask_of(line, {'\n'});
    const std::uint64_t before_newline = newline != 0 ? (newline & -newline) - 1 : ~0ull;
    std::uint64_t candidates =
        mask_of(line, {'E', 'W', 'I', 'D'}) & (word_start | (open << 1)) & before_newline;
    while (candidates != 0) {
        const int c = std::countr_zero(candidates);
        candidates &= candidates - 1;
        const std::uint64_t through_c = c == 63 ? ~0ull : (2ull << c) - 1;
        if (std::popcount(word_start & through_c) > kLevelWords) return kNoLevel;
        const std::size_t start = (word_start >> c & 1) != 0 ? c : c - 1;
        const Level level = level_at(line, start, kLevelWindow, size, after);
        if (level != kNoLevel) return level;
    }
    return kNoLevel;
}
#endif

bool is_separator(unsigned char c) {
    return c == ' ' || c == '\t' || c == ':' || c == '-' || c == ']' || c == '>' || c == ')' ||
           c == '|';
}

// The message from `at` to the end of the line, normalized into `out` (written through a
// pointer: this runs for every error line).
void message_of(const unsigned char* line, std::size_t at, std::size_t end, std::string& out) {
    while (at < end && is_separator(line[at])) ++at;
    while (end > at && (line[end - 1] == '\r' || is_blank(line[end - 1]))) --end;
    out.resize(kMessageMax);
    char* o = out.data();
    std::size_t n = 0;
    for (std::size_t i = at; i < end && n < kMessageMax; ++i) {
        const unsigned char c = line[i];
        if (c >= '0' && c <= '9') {
            if (n == 0 || o[n - 1] != '#') o[n++] = '#';
            continue;
        }
        o[n++] = static_cast<char>(c);
    }
    out.resize(n);
    // Do not end inside a UTF-8 sequence that was cut.
    if (n >= kMessageMax) {
        std::size_t lead = out.size() - 1;
        while (lead > 0 && (static_cast<unsigned char>(out[lead]) & 0xC0) == 0x80) --lead;
        const auto c = static_cast<unsigned char>(out[lead]);
        const std::size_t length = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (lead + length > out.size()) out.resize(lead);
    }
    if (out.empty()) out = "(no message)";
}

}  // namespace

void analyze_line(const unsigned char* line, std::size_t size, LogCounts& counts,
                  std::string& scratch) {
    std::size_t after = 0;
#if defined(__SSE2__)
    const Level level = size >= kLevelWindow ? find_level_64(line, size, &after)
                                             : find_level_scalar(line, size, &after);
#else
    const Level level = find_level_scalar(line, size, &after);
#endif
    if (level == kNoLevel) return;
    ++counts.levels[level];
    if (level != kError) return;
    const std::size_t limit = std::min(size, kLinePrefix);
    const void* newline = std::memchr(line + after, '\n', limit - after);
    const std::size_t end =
        newline != nullptr
            ? static_cast<std::size_t>(static_cast<const unsigned char*>(newline) - line)
            : limit;
    message_of(line, after, end, scratch);
    const auto found = counts.errors.find(std::string_view(scratch));
    if (found != counts.errors.end()) {
        ++found->second;
    } else {
        counts.errors.emplace(scratch, 1);
    }
}

void add(LogCounts& counts, const LogCounts& more) {
    for (std::size_t i = 0; i < counts.levels.size(); ++i) counts.levels[i] += more.levels[i];
    for (const auto& [message, n] : more.errors) counts.errors[message] += n;
    counts.dropped_errors += more.dropped_errors;
}

std::vector<MessageCount> top_messages(const MessageCounts& messages, std::size_t n) {
    std::vector<MessageCount> all;
    all.reserve(messages.size());
    for (const auto& [message, count] : messages) all.push_back({message, count});
    const auto by_count = [](const MessageCount& a, const MessageCount& b) {
        return a.count != b.count ? a.count > b.count : a.message < b.message;
    };
    const std::size_t keep = std::min(n, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                      by_count);
    all.resize(keep);
    return all;
}

}  // namespace files
