#include "name_pattern.hpp"

#include <cstddef>

namespace files {

namespace {

// Does the bracket expression at pattern[at] ('[') take `c`? Sets `next` after its ']';
// false with next == at when there is no ']' (the '[' is then a plain byte).
bool bracket_takes(std::string_view pattern, std::size_t at, unsigned char c, std::size_t& next) {
    std::size_t i = at + 1;
    const bool negated = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
    if (negated) ++i;
    bool taken = false;
    for (bool first = true; i < pattern.size(); first = false) {
        if (pattern[i] == ']' && !first) {
            next = i + 1;
            return taken != negated;
        }
        if (pattern[i] == '\\' && i + 1 < pattern.size()) ++i;
        const auto low = static_cast<unsigned char>(pattern[i]);
        auto high = low;
        if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
            i += 2;
            if (pattern[i] == '\\' && i + 1 < pattern.size()) ++i;
            high = static_cast<unsigned char>(pattern[i]);
        }
        if (c >= low && c <= high) taken = true;
        ++i;
    }
    next = at;
    return false;
}

// Does the one-byte element at pattern[at] (not '*') take `c`? Sets `next` after it.
bool element_takes(std::string_view pattern, std::size_t at, unsigned char c, std::size_t& next) {
    const char element = pattern[at];
    if (element == '?') {
        next = at + 1;
        return true;
    }
    if (element == '[') {
        const bool taken = bracket_takes(pattern, at, c, next);
        if (next != at) return taken;
    }
    if (element == '\\') {
        if (at + 1 == pattern.size()) return false;  // a trailing \ quotes nothing: no match
        ++at;
    }
    next = at + 1;
    return static_cast<unsigned char>(pattern[at]) == c;
}

}  // namespace

bool glob_matches(std::string_view pattern, std::string_view name) {
    // The classic backtracking walk: on a mismatch after a '*', let that '*' take one
    // more byte and try again from there.
    constexpr auto kNone = std::string_view::npos;
    std::size_t p = 0, n = 0, star_p = kNone, star_n = 0;
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star_p = ++p;
            star_n = n;
            continue;
        }
        std::size_t next = 0;
        if (p < pattern.size() &&
            element_takes(pattern, p, static_cast<unsigned char>(name[n]), next)) {
            p = next;
            ++n;
            continue;
        }
        if (star_p == kNone) return false;
        p = star_p;
        n = ++star_n;
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace files
