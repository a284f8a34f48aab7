// Where the Windows tests find their helper programs (tests/windows/, built into the same
// folder as the test executables) and runpipe.exe (the build root above it).
#pragma once

#include <windows.h>

#include <filesystem>
#include <string>

namespace test_support {

inline std::string beside_this_test(const char* name) {
    wchar_t self[MAX_PATH];
    ::GetModuleFileNameW(nullptr, self, MAX_PATH);
    return (std::filesystem::path(self).parent_path() / name).string();
}

// A path as a word of a pipeline command: single-quoted, as the pipeline syntax (sh's)
// reads backslashes. (Appended: GCC 12 -O3 warns falsely on "'" + string.)
inline std::string single_quoted(const std::string& path) {
    std::string word(1, '\'');
    (word += path) += '\'';
    return word;
}

}  // namespace test_support
