// What `forkline run` sends to command_worker through the shared-memory queue (or Redis,
// with --redis), and what comes back. By default the worker captures the command's stdout
// and stderr; up to kInlineOutput bytes then come back inside the result slot, larger
// outputs are written to output_paths() in the run's private directory. A job with
// stdout_path and stderr_path writes there instead (the FIFOs of live output, or the files
// of --results), and its result carries no output. A job with an output_key ran on a worker
// host (forkline worker): larger outputs come back through Redis in chunks
// (src/redis/output_chunks.hpp), and the result names the host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
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
    // --redis: the run's key base (forkline:{QUEUE}:{RUN}:) for the output chunks and the
    // stop flag; empty: a local job.
    std::string output_key{};
    std::uint64_t max_output = 0;  // with output_key: stdout + stderr bytes sent at most
};

std::vector<std::byte> encode(const CommandJob& job);
CommandJob decode(std::span<const std::byte> bytes);  // throws std::runtime_error if malformed

inline constexpr std::size_t kInlineOutput = 64 * 1024;
// A job's bytes at most: its command and its input.
inline constexpr std::size_t kMaxJobBytes = 1 << 20;

// Trivially copyable: the head of the result bytes of one command job; when
// output_inline, stdout_bytes then stderr_bytes of output follow it.
struct CommandOutcome {
    std::int32_t exit_code;  // the pipeline's, shell convention (124 timed out)
    std::int32_t signal;     // signal that ended the last stage, 0 if none
    std::uint8_t timed_out;
    std::uint8_t cancelled;       // SIGTERM from the supervisor (cancel)
    std::uint8_t output_inline;   // the output follows; else it is in output_paths()
    std::uint8_t output_chunked;  // the output is in Redis, under the output id that follows
    std::uint8_t host_bytes;      // the worker host's name follows (--redis)
    std::uint8_t output_id_bytes;
    std::uint8_t not_started;  // --redis: the run asked for no new starts (stop flag)
    std::uint8_t pad;
    std::int64_t start_unix_ns;  // wall clock at start (for the joblog)
    std::int64_t duration_ns;
    std::uint64_t stdout_bytes;
    std::uint64_t stderr_bytes;
};

// The result bytes: the outcome, then the host's name, the output id and the inline output.
inline constexpr std::size_t kMaxResultBytes = sizeof(CommandOutcome) + 2 * 255 + kInlineOutput;

// A result as the worker sent it (views into its bytes).
struct ResultView {
    CommandOutcome outcome{};
    std::string_view host;         // the worker host's name (--redis), else empty
    std::string_view output_id;    // with output_chunked
    std::string_view stdout_data;  // with output_inline
    std::string_view stderr_data;
};
ResultView read_result(std::span<const std::byte> bytes);  // throws std::runtime_error

// Writes the outcome and the texts into `result` (kMaxResultBytes at least, or room for
// what is written); returns the bytes written. The output is inline when output_inline.
std::size_t write_result(const CommandOutcome& outcome, std::string_view host,
                         std::string_view output_id, std::string_view out, std::string_view err,
                         std::span<std::byte> result);

// The name a worker host reports by default: this host's (gethostname).
std::string this_host_name();

struct OutputPaths {
    std::filesystem::path out;
    std::filesystem::path err;
};
OutputPaths output_paths(const std::filesystem::path& directory, std::uint64_t seq);

}  // namespace run
