// The platform-free part of OutputDirectory: the names, and the removal
// (output_directory_posix.cpp and output_directory_windows.cpp create and sweep).
#include <charconv>

#include "output_directory.hpp"

namespace run {

bool parse_run_directory_name(std::string_view name, pid_t& pid, std::string_view& start) {
    if (!name.starts_with(kRunDirectoryPrefix)) return false;
    name.remove_prefix(kRunDirectoryPrefix.size());
    const auto [pid_end, error] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (error != std::errc{} || pid <= 0 || pid_end == name.data() + name.size() || *pid_end != '-')
        return false;
    name.remove_prefix(static_cast<std::size_t>(pid_end - name.data()) + 1);
    const auto dash = name.find('-');
    if (dash == 0 || dash == std::string_view::npos) return false;
    start = name.substr(0, dash);
    return start.find_first_not_of("0123456789") == std::string_view::npos;
}

OutputDirectory::~OutputDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

}  // namespace run
