#include <windows.h>

#include <filesystem>
#include <random>
#include <system_error>

#include "new_directory.hpp"
#include "utf16.hpp"

namespace test_support {

// No mkdtemp on Windows: random names until CreateDirectoryW makes one that did not exist.
std::string new_directory(const std::string& prefix) {
    const auto temp = std::filesystem::temp_directory_path();
    std::mt19937_64 random(std::random_device{}() ^ ::GetCurrentProcessId());
    const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string name = prefix + "-";
        for (int i = 0; i < 6; ++i) name += letters[random() % (sizeof letters - 1)];
        const std::wstring path = (temp / forkline::widen(name)).wstring();
        if (::CreateDirectoryW(path.c_str(), nullptr)) return forkline::narrow(path);
        if (::GetLastError() != ERROR_ALREADY_EXISTS) break;
    }
    throw std::system_error(
        static_cast<int>(::GetLastError()), std::system_category(),
        "cannot make a directory " + prefix + "-XXXXXX in the temporary directory");
}

long long process_id() {
    return ::GetCurrentProcessId();
}

}  // namespace test_support
