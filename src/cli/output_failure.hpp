// What a tool does when its standard output cannot be written, where platforms differ.
#pragma once

#include <cstdio>

namespace cli {

// Ends the process as a writer into a closed pipe ends: POSIX by SIGPIPE's default action, as
// coreutils. Windows has no SIGPIPE: a quiet exit with status 141 (128 + SIGPIPE), the status
// a POSIX shell shows for that death.
[[noreturn]] void die_of_sigpipe();

// Drops what stdio still holds for `file` and its error flag after a failed write, so that
// neither exit() nor an enclosing run_tool tries it and reports it again.
void drop_unwritten(std::FILE* file);

}  // namespace cli
