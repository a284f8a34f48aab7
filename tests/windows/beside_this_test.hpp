// Where the Windows tests find their helper programs (tests/windows/, built into the same
// folder as the test executables) and runpipe.exe (the build root above it).
#pragma once

#include <windows.h>

#include <filesystem>

namespace test_support {

inline std::filesystem::path beside_this_test(const char* name) {
    wchar_t self[MAX_PATH];
    ::GetModuleFileNameW(nullptr, self, MAX_PATH);
    return std::filesystem::path(self).parent_path() / name;
}

}  // namespace test_support
