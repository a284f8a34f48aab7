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

std::string quoted_list(const std::vector<std::string>& args,
                        std::function<std::string_view(std::string_view)> part) {
    std::string text;
    for (const auto& arg : args) {
        if (!text.empty()) text += ' ';
        text += quote_word(part(arg));
    }
    return text;
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
    struct Placeholder {
        std::string_view token;
        std::function<std::string()> value;
    };
    const std::array<Placeholder, 5> placeholders{{
        {"{//}", [&] { return quoted_list(args, dirname_of); }},
        {"{.}", [&] { return quoted_list(args, without_extension); }},
        {"{/}", [&] { return quoted_list(args, basename_of); }},
        {"{#}", [&] { return std::to_string(seq); }},
        {"{}", [&] { return quoted_list(args, [](std::string_view a) { return a; }); }},
    }};
    std::string result;
    bool replaced = false;
    for (std::size_t i = 0; i < command_template.size();) {
        bool matched = false;
        for (const auto& placeholder : placeholders) {
            if (command_template.substr(i).starts_with(placeholder.token)) {
                result += placeholder.value();
                i += placeholder.token.size();
                matched = replaced = true;
                break;
            }
        }
        if (!matched) result += command_template[i++];
    }
    if (!replaced && !args.empty()) {
        result += ' ';
        result += quoted_list(args, [](std::string_view a) { return a; });
    }
    return result;
}

}  // namespace run
