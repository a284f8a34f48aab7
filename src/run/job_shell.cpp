#include "job_shell.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <string_view>

#include "command_lookup.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace run {

namespace {

constexpr std::array<std::string_view, 9> kShellNames = {"sh",  "bash", "dash", "ksh", "mksh",
                                                         "zsh", "ash",  "yash", "fish"};

forkline::ProgramLookup look_up(const std::string& name) {
    return forkline::find_program(name, forkline::search_path_of(nullptr));
}

}  // namespace

bool names_a_shell(const std::string& word) {
    const bool known = std::find(kShellNames.begin(), kShellNames.end(), word) != kShellNames.end();
    if (!known && !word.starts_with('/')) return false;
    return look_up(word).error == 0;
}

std::string find_shell(const std::string& source, const std::string& name) {
    const auto found = look_up(name);
    if (found.error != 0) {
        throw cli::UsageError(
            source + ": " + cli::quoted(name) + ": " +
            (found.error == ENOENT ? "shell not found" : "not an executable file"));
    }
    return std::filesystem::absolute(found.path).string();
}

}  // namespace run
