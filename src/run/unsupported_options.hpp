// GNU parallel's options that forkline run does not support: each is an option of its own
// whose use is a one-line UsageError naming it ("--pipe is not supported (GNU parallel
// option): …"), so that a script moved over never has one ignored or taken as the command
// or an argument. Each takes an optional attached value (--sshlogin=host, -Shost): the
// error comes at the option itself, before any word after it is read.
#pragma once

#include <vector>

#include "options.hpp"

namespace run {

std::vector<cli::Option> unsupported_gnu_options();

}  // namespace run
