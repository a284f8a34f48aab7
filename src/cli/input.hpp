// Reading a whole input named on the command line, with errors that say why.
#pragma once

#include <string>

namespace cli {

// The contents of file `path`, or of standard input for "-". Throws std::runtime_error
// "cannot read 'PATH': REASON" (a missing file, a directory, a closed stdin: EBADF).
std::string read_input(const std::string& path);

}  // namespace cli
