// What the tools' option parsers share: the one-line usage error and a walk over argv.
#pragma once

#include <stdexcept>
#include <string>

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

}  // namespace tools
