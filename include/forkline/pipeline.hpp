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
// after `grace` SIGKILL, and the output read so far is kept. Each child sees only fds 0-2,
// and those of 3-9 that its redirections open.
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

#include <forkline/requires_cxx20.hpp>

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
// "2>&1 > f" sends stderr where stdout went before. `fd` is the child's descriptor, 0-9.
struct Redirect {
    enum class Kind {
        input,          // [N]< path: N (default 0) reads path
        output,         // [N]> path, [N]>| path: N (default 1) writes path, truncated
        append_output,  // [N]>> path: N (default 1) appends to path
        read_write,     // [N]<> path: N (default 0) reads and writes path, created if missing
        duplicate,      // N>&M, N<&M: N becomes a copy of M (`from`), as dup2(M, N)
        close,          // N>&-, N<&-: N is closed
    };
    Kind kind;
    std::string path{};  // the file; empty for duplicate and close
    int fd = -1;         // -1: 0 for input and read_write, else 1 (the parser always sets it)
    int from = -1;       // duplicate: the child's descriptor copied
};

struct Stage {
    std::vector<std::string> argv;  // argv[0] is looked up in PATH unless it has a '/'
    std::vector<Redirect> redirects{};
    // "NAME=value" set in this stage's environment only, as sh's "NAME=value cmd": over
    // PipelineOptions::environment (or ours), PATH included for the lookup of argv[0].
    std::vector<std::string> assignments{};
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

// The subset of sh that needs no shell, read as sh reads it: words, '…' and "…" quoting,
// backslash escapes and line continuations, |, redirections of descriptors 0-9 ([N]< [N]>
// [N]>> [N]>| [N]<> N>&M N>&- …), NAME=value before the command, ~ and ~user at the start
// of a word (from HOME or the password database: the one thing read outside `command`).
// What sh would expand or treat as syntax is a ParseError with its column, never taken
// literally: $ expansions (also in "…"), `…`, globs (* ? [ab]), brace expansion ({a,b}
// {1..3}), a word starting with # (a comment), ; & ( ), here-documents, reserved words
// as the command (if, while, !, {, [[ …), descriptors above 9, and the ~ that bash expands
// and sh does not (an argument NAME=~/x). The table is in `runpipe --help`.
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
    // When fd 0 is a terminal and this process is in its foreground group: the pipeline's
    // group is the foreground group while it runs (its stages can read the terminal, ^C
    // and ^Z go to them), and the terminal is given back at the end. A stage stopped by the
    // terminal stops this process too (SIGTSTP), as a shell's job; SIGCONT continues both.
    // For one pipeline run from a command line (runpipe), not for many at once.
    bool foreground_terminal = false;
};

struct StageResult {
    std::vector<std::string> argv;
    pid_t pid = -1;        // -1 if it could not be started
    int exit_code = -1;    // exit code; -1 when killed or not started
    int signal = 0;        // the killing signal, 0 when it exited
    std::string error;     // why it could not be started ("command not found"), else empty
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
