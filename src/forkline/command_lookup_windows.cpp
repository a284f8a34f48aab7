// Program lookup on Windows: PATH and PATHEXT, as cmd.exe searches (command_lookup.hpp).
#include <windows.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <system_error>

#include "command_lookup.hpp"

namespace forkline {

namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) ==
                      std::toupper(static_cast<unsigned char>(y));
           });
}

std::vector<std::string> split(std::string_view list) {
    std::vector<std::string> parts;
    for (;;) {
        const auto semicolon = list.find(';');
        if (const auto part = list.substr(0, semicolon); !part.empty()) parts.emplace_back(part);
        if (semicolon == std::string_view::npos) return parts;
        list.remove_prefix(semicolon + 1);
    }
}

std::vector<std::string> executable_extensions() {
    const char* value = std::getenv("PATHEXT");
    auto extensions = split(value != nullptr && *value != '\0' ? value : ".COM;.EXE;.BAT;.CMD");
    return extensions;
}

// 0 if `path` is a regular file, else why not.
int check_file(const std::filesystem::path& path) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (!std::filesystem::exists(status)) return ENOENT;
    if (std::filesystem::is_directory(status)) return EISDIR;
    return std::filesystem::is_regular_file(status) ? 0 : EACCES;
}

// `base` as is when its extension is one of PATHEXT's, else with each of them.
ProgramLookup try_extensions(const std::filesystem::path& base,
                             const std::vector<std::string>& extensions) {
    const auto extension = base.extension().string();
    const bool has_one = std::any_of(extensions.begin(), extensions.end(), [&](const auto& e) {
        return equal_ignoring_case(e, extension);
    });
    if (has_one) {
        const int error = check_file(base);
        return error == 0 ? ProgramLookup{base, 0} : ProgramLookup{{}, error};
    }
    for (const auto& candidate_extension : extensions) {
        auto candidate = base;
        candidate += candidate_extension;
        if (check_file(candidate) == 0) return {candidate, 0};
    }
    return {{}, check_file(base) == EISDIR ? EISDIR : ENOENT};
}

}  // namespace

ProgramLookup find_program(const std::string& name, const std::string& search_path,
                           const std::filesystem::path& working_directory) {
    if (name.empty()) return {{}, ENOENT};
    const auto extensions = executable_extensions();
    const std::filesystem::path as_path(name);
    if (name.find_first_of("/\\:") != std::string::npos) {
        const auto where = as_path.is_absolute() ? as_path : working_directory / as_path;
        return try_extensions(where, extensions);
    }
    int first_error = ENOENT;
    for (const auto& dir : split(search_path)) {
        const auto found = try_extensions(std::filesystem::path(dir) / name, extensions);
        if (found.error == 0) return found;
        if (found.error != ENOENT && first_error == ENOENT) first_error = found.error;
    }
    return {{}, first_error};
}

std::string search_path_of(const std::vector<std::string>* environment) {
    if (environment != nullptr) {
        for (const auto& entry : *environment) {
            if (entry.size() >= 5 && equal_ignoring_case(entry.substr(0, 5), "PATH="))
                return entry.substr(5);
        }
    } else if (const char* path = std::getenv("PATH")) {
        return path;
    }
    char system[MAX_PATH];
    const UINT size = ::GetSystemDirectoryA(system, MAX_PATH);
    return std::string(system, size);
}

bool is_cmd_builtin(const std::string& name) {
    static const char* const kBuiltins[] = {
        "assoc", "break", "call",  "cd",       "chdir",  "cls",    "color", "copy",     "date",
        "del",   "dir",   "echo",  "endlocal", "erase",  "exit",   "for",   "ftype",    "goto",
        "if",    "md",    "mkdir", "mklink",   "move",   "path",   "pause", "popd",     "prompt",
        "pushd", "rd",    "rem",   "ren",      "rename", "rmdir",  "set",   "setlocal", "shift",
        "start", "time",  "title", "type",     "ver",    "verify", "vol"};
    std::string lower;
    for (const char c : name)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return std::find(std::begin(kBuiltins), std::end(kBuiltins), lower) != std::end(kBuiltins);
}

}  // namespace forkline
