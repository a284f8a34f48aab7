// Finding a stage's program the way a shell does, before anything is started, so "not
// found" (127) and "not executable" (126) are known without a failed exec.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace forkline {

struct ProgramLookup {
    std::filesystem::path path;  // set when found and executable
    int error = 0;               // ENOENT (not found), EACCES (not executable), EISDIR
};

// `name` with a '/' is taken as a path (relative to `working_directory`, where the child
// will run, when not absolute); otherwise each directory of `search_path` (a PATH value)
// is tried in order; the first executable regular file wins.
// On Windows (command_lookup_windows.cpp): a name with '/', '\' or a drive ("C:") is a
// path; PATH is split at ';'; a name without one of PATHEXT's extensions (default
// .COM;.EXE;.BAT;.CMD) is tried with each in turn, as cmd.exe does, but the current
// directory is not searched first (as on POSIX, and in PowerShell). A .bat or .cmd found is
// run through `cmd /d /s /c` (spawn_windows.cpp): CreateProcess cannot run one itself.
// Any regular file counts as executable there; what is not a program fails at the spawn.
ProgramLookup find_program(const std::string& name, const std::string& search_path,
                           const std::filesystem::path& working_directory = {});

// Windows only: `name` is one of cmd.exe's own commands (echo, dir, type, copy, …), which
// no program provides: a "not found" worth a hint (--shell).
bool is_cmd_builtin(const std::string& name);

// PATH from a "K=V" environment list, or this process's PATH, or the POSIX default (on
// Windows the name is matched ignoring case, and the default is the system directory).
std::string search_path_of(const std::vector<std::string>* environment);

}  // namespace forkline
