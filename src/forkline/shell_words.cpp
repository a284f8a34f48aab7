#include "shell_words.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace forkline {

namespace {

constexpr std::array<std::string_view, 21> kReservedWords{
    "!",    "{",    "}",    "[[",    "]]",    "if",  "then", "else",     "elif",   "fi",    "do",
    "done", "case", "esac", "while", "until", "for", "in",   "function", "select", "coproc"};

}  // namespace

bool is_reserved_word(std::string_view word) {
    return std::find(kReservedWords.begin(), kReservedWords.end(), word) != kReservedWords.end();
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
    return is_name_start(c) || is_digit(c);
}
bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
}
bool is_user_name(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return is_name_char(c) || c == '.' || c == '-'; });
}

bool is_brace_sequence(std::string_view inside) {
    std::vector<std::string_view> parts;
    for (std::size_t dots; (dots = inside.find("..")) != std::string_view::npos;) {
        parts.push_back(inside.substr(0, dots));
        inside.remove_prefix(dots + 2);
    }
    parts.push_back(inside);
    auto integer = [](std::string_view part) {
        if (!part.empty() && (part.front() == '-' || part.front() == '+')) part.remove_prefix(1);
        return all_digits(part);
    };
    auto letter = [](std::string_view part) {
        return part.size() == 1 && is_name_start(part[0]) && part[0] != '_';
    };
    if (parts.size() != 2 && parts.size() != 3) return false;
    if (parts.size() == 3 && !integer(parts[2])) return false;
    return (integer(parts[0]) && integer(parts[1])) || (letter(parts[0]) && letter(parts[1]));
}

}  // namespace forkline
