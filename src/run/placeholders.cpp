#include "placeholders.hpp"

#include <array>
#include <functional>

namespace run {

namespace {

std::string_view basename_of(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dirname_of(std::string_view path) {
    const auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return ".";
    return slash == 0 ? path.substr(0, 1) : path.substr(0, slash);
}

std::string_view without_extension(std::string_view path) {
    const auto dot = path.rfind('.');
    const auto slash = path.rfind('/');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash) ||
        dot == (slash == std::string_view::npos ? 0 : slash + 1)) {
        return path;  // no extension (or a dot file such as .bashrc)
    }
    return path.substr(0, dot);
}

std::string joined(const std::vector<std::string>& args,
                   std::function<std::string_view(std::string_view)> part, bool quote) {
    std::string text;
    for (const auto& arg : args) {
        if (!text.empty()) text += ' ';
        text += quote ? quote_word(part(arg)) : std::string(part(arg));
    }
    return text;
}

std::string_view whole(std::string_view arg) {
    return arg;
}

// The placeholders of `text` replaced; `replaced` tells whether there was any.
std::string substitute(std::string_view text, const std::vector<std::string>& args,
                       std::uint64_t seq, bool quote, bool& replaced) {
    struct Placeholder {
        std::string_view token;
        std::function<std::string()> value;
    };
    const std::array<Placeholder, 5> placeholders{{
        {"{//}", [&] { return joined(args, dirname_of, quote); }},
        {"{.}", [&] { return joined(args, without_extension, quote); }},
        {"{/}", [&] { return joined(args, basename_of, quote); }},
        {"{#}", [&] { return std::to_string(seq); }},
        {"{}", [&] { return joined(args, whole, quote); }},
    }};
    std::string result;
    replaced = false;
    for (std::size_t i = 0; i < text.size();) {
        bool matched = false;
        for (const auto& placeholder : placeholders) {
            if (text.substr(i).starts_with(placeholder.token)) {
                result += placeholder.value();
                i += placeholder.token.size();
                matched = replaced = true;
                break;
            }
        }
        if (!matched) result += text[i++];
    }
    return result;
}

}  // namespace

std::string quote_word(std::string_view word) {
    std::string quoted = "'";
    for (const char c : word) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    quoted += '\'';
    return quoted;
}

std::string expand(std::string_view command_template, const std::vector<std::string>& args,
                   std::uint64_t seq) {
    bool replaced = false;
    auto result = substitute(command_template, args, seq, true, replaced);
    if (!replaced && !args.empty()) {
        result += ' ';
        result += joined(args, whole, true);
    }
    return result;
}

std::string expand_text(std::string_view text, const std::vector<std::string>& args,
                        std::uint64_t seq) {
    bool replaced = false;
    return substitute(text, args, seq, false, replaced);
}

}  // namespace run
