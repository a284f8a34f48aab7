// The private directory of one `forkline run` for the outputs too big for a result slot.
// Its name carries its creator's identity, "forkline-run-PID-START-XXXXXX" (START: the
// process's start time, so that a reused pid cannot pass for the creator): a run killed
// before it could remove its directory leaves one that the next run's sweep removes, as
// stale shared-memory segments are.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace run {

class OutputDirectory {
  public:
    // Sweeps dead runs' directories from $TMPDIR (else /tmp), then creates a fresh one,
    // mode 0700. Throws std::runtime_error saying why it cannot.
    OutputDirectory();
    ~OutputDirectory();  // removes it and all it holds
    OutputDirectory(const OutputDirectory&) = delete;
    OutputDirectory& operator=(const OutputDirectory&) = delete;

    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

inline constexpr std::string_view kRunDirectoryPrefix = "forkline-run-";

// PID and START of a name "forkline-run-PID-START-XXXXXX"; false for any other name.
bool parse_run_directory_name(std::string_view name, pid_t& pid, std::string_view& start);

// "forkline-run-PID-START-": the start of the names of process `pid`'s directories;
// nullopt when no such process exists.
std::optional<std::string> run_directory_stem(pid_t pid);

// Removes the directories of dead runs in `parent`: named as above, owned by this user,
// whose creator no longer exists (or is a zombie) or whose pid now belongs to a process
// started at another time. Directories of other users and of live runs, and anything that
// is not a directory, are left alone. Returns how many were removed.
std::size_t sweep_dead_run_directories(const std::filesystem::path& parent);

}  // namespace run
