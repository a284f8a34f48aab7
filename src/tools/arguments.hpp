// TEMPORARY: the hand-written option walk that src/cli/options.hpp replaces, kept only until
// every tool is converted; then this file goes.
#pragma once

#include <string>

#include "option_numbers.hpp"
#include "usage_error.hpp"

namespace tools {

using cli::UsageError;

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
Number parse_bounded(const std::string& option, const std::string& text, Number min, Number max) {
    if constexpr (std::is_integral_v<Number>) {
        return cli::parse_count_as<Number>(option, text, min, max);
    } else {
        return cli::parse_real(option, text, min, max);
    }
}

}  // namespace tools
