#include "command_lookup.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace forkline {

namespace {

// 0 if `path` is an executable regular file, else why not.
int check_executable(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return errno == ENOTDIR ? ENOENT : errno;
    if (S_ISDIR(info.st_mode)) return EISDIR;
    if (!S_ISREG(info.st_mode) || ::access(path.c_str(), X_OK) != 0) return EACCES;
    return 0;
}

}  // namespace

ProgramLookup find_program(const std::string& name, const std::string& search_path,
                           const std::filesystem::path& working_directory) {
    if (name.empty()) return {{}, ENOENT};
    if (name.find('/') != std::string::npos) {
        // Executed after the child's chdir: a relative path is relative to working_directory.
        const auto where =
            name.front() == '/' ? std::filesystem::path(name) : working_directory / name;
        const int error = check_executable(where);
        return error == 0 ? ProgramLookup{name, 0} : ProgramLookup{{}, error};
    }
    int first_error = ENOENT;  // a match that is not executable beats "not found"
    std::string_view rest = search_path;
    for (;;) {
        const auto colon = rest.find(':');
        const auto dir = rest.substr(0, colon);
        const auto candidate = std::filesystem::path(dir.empty() ? "." : std::string(dir)) / name;
        const int error = check_executable(candidate);
        if (error == 0) return {candidate, 0};
        if (error != ENOENT && first_error == ENOENT) first_error = error;
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return {{}, first_error};
}

std::string search_path_of(const std::vector<std::string>* environment) {
    if (environment != nullptr) {
        for (const auto& entry : *environment) {
            if (entry.starts_with("PATH=")) return entry.substr(5);
        }
    } else if (const char* path = std::getenv("PATH")) {
        return path;
    }
    return "/usr/local/bin:/usr/bin:/bin";
}

}  // namespace forkline
