// What the tools' option parsers share: the one-line usage error and a walk over argv.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace tools {

// Bad usage: main() prints "TOOL: error: WHAT (see TOOL --help)" and exits 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Walks argv: next() gives each argument in turn; value() the one after an option.
class ArgumentReader {
  public:
    ArgumentReader(int argc, char** argv, int first = 1) : argc_(argc), argv_(argv), next_(first) {}

    bool done() const { return next_ >= argc_; }
    std::string next() { return current_ = argv_[next_++]; }
    std::string value() {
        if (done()) throw UsageError("option " + current_ + " needs a value");
        return argv_[next_++];
    }

  private:
    int argc_;
    char** argv_;
    int next_;
    std::string current_;
};

template <typename Number>
std::string number_text(Number n) {
    if constexpr (std::is_integral_v<Number>) {
        return std::to_string(n);
    } else {
        char text[32];
        std::snprintf(text, sizeof text, "%g", n);
        return text;
    }
}

// An option's value: the whole of `text` as a number from `min` to `max`, else UsageError.
template <typename Number>
Number parse_bounded(const std::string& option, const std::string& text, Number min, Number max) {
    Number value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(double(value)) ||
        value < min || value > max) {
        throw UsageError(option + " needs a number from " + number_text(min) + " to " +
                         number_text(max) + ", not '" + text + "'");
    }
    return value;
}

}  // namespace tools
