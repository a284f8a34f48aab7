#include "options.hpp"

#include <getopt.h>

#include <cstdio>

#include "tool.hpp"
#include "usage_error.hpp"

namespace cli {

namespace {

// getopt_long reports a long option by its `val`: past every char, so it cannot clash
// with a one-letter option.
constexpr int kLongBase = 256;

std::string name_of(const Option& option) {
    return std::string("--") + option.name;
}

}  // namespace

std::vector<std::string> parse_options(int argc, char** argv, int first, const Command& command,
                                       std::vector<Option> options, Operands operands) {
    options.push_back({"help", 'h', false, [&](const std::string&) {
                           std::fputs(command.usage, stdout);
                           throw Finished{};
                       }});
    options.push_back({"version", 0, false, [&](const std::string&) {
                           print_version(command.name);
                           throw Finished{};
                       }});
    // getopt_long reads argv[1…]: hand it argv from `first` on, with argv[first - 1] in the
    // place of the program name.
    const int count = argc - first + 1;
    char** args = argv + first - 1;

    // '+': stop at the first operand; ':': report a missing value as ':' rather than print.
    std::string letters = operands == Operands::last ? "+:" : ":";
    std::vector<::option> long_options;
    for (std::size_t i = 0; i < options.size(); ++i) {
        const int has_arg = !options[i].takes_value     ? no_argument
                            : options[i].value_optional ? optional_argument
                                                        : required_argument;
        if (options[i].name != nullptr)
            long_options.push_back({options[i].name, has_arg, nullptr, kLongBase + int(i)});
        if (options[i].short_name != 0) {
            letters += options[i].short_name;
            if (options[i].takes_value) letters += options[i].value_optional ? "::" : ":";
        }
    }
    long_options.push_back({nullptr, 0, nullptr, 0});

    auto find_short = [&](int letter) -> const Option* {
        for (const auto& option : options)
            if (option.short_name == letter) return &option;
        return nullptr;
    };
    ::opterr = 0;
    ::optind = 0;  // 0, not 1: glibc re-reads the '+' and the environment
    for (;;) {
        const int c = ::getopt_long(count, args, letters.c_str(), long_options.data(), nullptr);
        if (c == -1) break;
        // The argument being read, as the user wrote it (for messages).
        const std::string given = args[::optind - 1] != nullptr ? args[::optind - 1] : "";
        if (c == '?' || c == ':') {
            const int which = ::optopt;
            std::string name = which >= kLongBase ? name_of(options[which - kLongBase])
                               : which != 0       ? std::string("-") + char(which)
                                                  : given.substr(0, given.find('='));
            // A long option given a value it does not take: glibc reports '?', the BSD
            // getopt_long (mingw-w64's) ':'.
            if (which >= kLongBase && !options[which - kLongBase].takes_value)
                throw UsageError("option " + name + " takes no value");
            if (c == ':') throw UsageError("option " + name + " needs a value");
            throw UsageError("unknown option '" + name + "'");
        }
        const Option* option = c >= kLongBase ? &options[c - kLongBase] : find_short(c);
        option->apply(option->takes_value && ::optarg != nullptr ? std::string(::optarg)
                                                                 : std::string());
    }
    return {args + ::optind, args + count};
}

}  // namespace cli
