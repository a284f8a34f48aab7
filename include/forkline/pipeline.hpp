// Pipelines without a shell: "netstat -tan | grep LISTEN > ports.txt", run with
// communicate-with-timeout semantics (Python's Popen.communicate(timeout), minus its traps).
//
//   forkline::PipelineResult r = forkline::run_pipeline("sort | uniq -c", {
//       .input = "b\na\nb\n", .capture_stdout = true, .timeout = std::chrono::seconds(5)});
//   r.exit_code;    // 0
//   r.stdout_data;  // "      1 a\n      2 b\n"
//
// Stages are connected by kernel pipes (data between stages never passes through this
// process) and run in one new process group. Input is written while outputs are read, so
// no size of input, stdout or stderr can deadlock. At the deadline the group gets SIGTERM,
// after `grace` SIGKILL, and the output read so far is kept. Each child sees only fds 0-2.
//
// Processes a pipeline starts do not outlive it. It ends when its stages have exited and
// the output it captures (capture_stdout, capture_stderr) has been closed by every process
// holding it, as `$(…)` does in sh, bounded by `timeout`: a background process still
// writing to captured output is waited for and its output kept. Then whatever is still
// running in its process group (a background process that writes elsewhere, or nowhere)
// gets SIGTERM, `grace`, then SIGKILL, and the ones that became our children are reaped.
// A process that left the group (setsid) is not touched, unless this process is a child
// subreaper that sweeps its children (runpipe and forkline's workers are).
//
// "Could not run" (syntax error, pipe or fork failure) throws; "ran and failed" (a
// stage not found, exited non-zero, killed, timed out) is in the result.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <forkline/error.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forkline {

// One redirection, applied in order as a shell does: "> f 2>&1" sends both to f,
// "2>&1 > f" sends stderr where stdout went before.
struct Redirect {
    enum class Kind {
        input,            // < path
        output,           // > path
        append_output,    // >> path
        error,            // 2> path
        append_error,     // 2>> path
        error_to_output,  // 2>&1
    };
    Kind kind;
    std::string path;  // empty for error_to_output
};

struct Stage {
    std::vector<std::string> argv;  // argv[0] is looked up in PATH unless it has a '/'
    std::vector<Redirect> redirects{};
};

// A syntax error: nothing was started. column() is 1-based.
class ParseError : public Error {
  public:
    ParseError(std::size_t column, const std::string& what)
        : Error("syntax error at column " + std::to_string(column) + ": " + what),
          column_(column) {}
    std::size_t column() const { return column_; }

  private:
    std::size_t column_;
};

// Words, '…' and "…" quoting, backslash escapes, |, <, >, >>, 2>, 2>>, 2>&1.
// No globbing, variables, command lists or subshells: an unquoted ; & $ ` ( ) * ? is a
// ParseError that says --shell is needed. Pure: no I/O.
std::vector<Stage> parse_pipeline(std::string_view command);

struct PipelineOptions {
    // stdin of the first stage: inherited unless `input` or `stdin_null` is set.
    std::optional<std::string> input{};  // bytes written while the outputs are read
    bool stdin_null = false;             // /dev/null
    bool capture_stdout = false;         // keep the last stage's stdout in stdout_data
    bool capture_stderr = false;         // keep all stages' stderr in stderr_data
    int stdout_fd = -1;  // else: the last stage writes here (not closed; ignored if capturing)
    int stderr_fd = -1;  // else: all stages write their stderr here
    std::optional<std::chrono::nanoseconds> timeout{};         // none: wait as long as it runs
    std::chrono::nanoseconds grace = std::chrono::seconds(1);  // SIGTERM -> SIGKILL
    bool pipefail = false;  // exit_code: the last non-zero stage's, not the last stage's
    std::optional<std::vector<std::string>> environment{};  // "K=V" list; none: inherit
    std::filesystem::path working_directory{};              // empty: inherit
    // Signals that, while the pipeline runs, are forwarded to its group instead of acting on
    // this process (blocked and read through a signalfd in the calling thread). If the group
    // is still alive `grace` later, it gets SIGKILL.
    std::vector<int> forward_signals{};
};

struct StageResult {
    std::vector<std::string> argv;
    pid_t pid = -1;      // -1 if it could not be started
    int exit_code = -1;  // exit code; -1 when killed or not started
    int signal = 0;      // the killing signal, 0 when it exited
    std::string error;   // why it could not be started ("command not found"), else empty
    int error_status = 0;  // with an error: 127 not found, 126 not executable, 1 redirection
    std::chrono::nanoseconds duration{};
    // Shell convention: the code, 128 + signal, or error_status.
    int shell_code() const;
};

struct PipelineResult {
    std::vector<StageResult> stages;
    int exit_code = 0;  // the pipeline's status, shell convention; 124 when timed out
    bool timed_out = false;
    int forwarded_signal = 0;  // the first of forward_signals received, else 0
    std::string stdout_data;   // captured bytes (binary-safe), when asked
    std::string stderr_data;
    std::chrono::nanoseconds duration{};
};

PipelineResult run_pipeline(std::string_view command, const PipelineOptions& options = {});
PipelineResult run_pipeline(const std::vector<Stage>& stages, const PipelineOptions& options = {});

}  // namespace forkline
