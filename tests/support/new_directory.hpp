// A new directory for a test's files, and the process id that owns it: the OS calls behind
// scratch_directory() (run_command.hpp), one file per platform (new_directory_posix.cpp,
// new_directory_windows.cpp).
#pragma once

#include <string>

namespace test_support {

// A new, empty directory PREFIX-XXXXXX in the temporary directory (/tmp; Windows: %TEMP%),
// its path in UTF-8. Throws std::system_error when it cannot be made.
std::string new_directory(const std::string& prefix);

// This process's id.
long long process_id();

}  // namespace test_support
