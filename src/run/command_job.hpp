// What `forkline run` sends to command_worker through the shared-memory queue, and what
// comes back. By default the worker captures the command's stdout and stderr; up to
// kInlineOutput bytes then come back inside the result slot, larger outputs are written
// to output_paths() in the run's private directory. A job with stdout_path and
// stderr_path writes there instead (the FIFOs of live output, or the files of
// --results), and its result carries no output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace run {

struct CommandJob {
    std::uint64_t seq = 0;  // job number, {#}
    bool shell = false;     // run with a shell: SHELL -c COMMAND
    double timeout_s = 0;   // 0: none
    double grace_s = 1;     // SIGTERM -> SIGKILL, on timeout or cancel
    std::string command;
    std::string input;          // stdin bytes; empty: /dev/null
    std::string shell_program;  // with shell: the shell's path; empty: /bin/sh
    // Both set, or both empty (capture). A FIFO is opened without blocking: it must have
    // a reader (the supervisor's), else the job fails; a file is created or truncated.
    std::string stdout_path{};
    std::string stderr_path{};
};

std::vector<std::byte> encode(const CommandJob& job);
CommandJob decode(std::span<const std::byte> bytes);  // throws std::runtime_error if malformed

inline constexpr std::size_t kInlineOutput = 64 * 1024;

// Trivially copyable: the head of the result bytes of one command job; when
// output_inline, stdout_bytes then stderr_bytes of output follow it.
struct CommandOutcome {
    std::int32_t exit_code;  // the pipeline's, shell convention (124 timed out)
    std::int32_t signal;     // signal that ended the last stage, 0 if none
    std::uint8_t timed_out;
    std::uint8_t cancelled;      // SIGTERM from the supervisor (cancel)
    std::uint8_t output_inline;  // the output follows; else it is in output_paths()
    std::uint8_t pad;
    std::int64_t start_unix_ns;  // wall clock at start (for the joblog)
    std::int64_t duration_ns;
    std::uint64_t stdout_bytes;
    std::uint64_t stderr_bytes;
};

struct OutputPaths {
    std::filesystem::path out;
    std::filesystem::path err;
};
OutputPaths output_paths(const std::filesystem::path& directory, std::uint64_t seq);

}  // namespace run
