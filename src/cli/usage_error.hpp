// Bad usage: the tool prints "TOOL: error: WHAT (see TOOL --help)" and exits with its usage
// status (2; 255 for forkline run, as GNU parallel).
#pragma once

#include <stdexcept>

namespace cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace cli
