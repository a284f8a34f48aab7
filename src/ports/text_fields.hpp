// Splitting and number parsing for the line-and-column text of /proc, netstat and ss.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

namespace ports {

inline std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto newline = std::min(text.find('\n'), text.size());
        lines.push_back(text.substr(0, newline));
        text.remove_prefix(std::min(newline + 1, text.size()));
    }
    return lines;
}

// The runs of characters not in `separators`.
inline std::vector<std::string_view> words_of(std::string_view text,
                                              std::string_view separators = " ") {
    std::vector<std::string_view> words;
    std::size_t at = 0;
    while ((at = text.find_first_not_of(separators, at)) != std::string_view::npos) {
        const auto end = std::min(text.find_first_of(separators, at), text.size());
        words.push_back(text.substr(at, end - at));
        at = end;
    }
    return words;
}

// The whole of `text` as a number, else nullopt.
template <typename T>
std::optional<T> parse_number(std::string_view text, int base = 10) {
    T value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace ports
