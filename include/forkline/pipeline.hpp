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
#include <csignal>
#include <cstddef>
#include <filesystem>
#include <forkline/error.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forkline {

// Pipeline::kill()'s default: SIGKILL (Windows has no SIGKILL: its number, 9, there).
#ifdef _WIN32
inline constexpr int kill_signal = 9;
#else
inline constexpr int kill_signal = SIGKILL;
#endif

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
    // The argument words after argv[0] as the command string spelled them (quotes and
    // backslashes kept, redirections left out, one space between words) where a Windows
    // program reads that spelling back as the same word (`"LISTENING"`); a word spelled
    // the sh way only ('a b', c\ d, "x\$y") is quoted the Windows way instead. Set by
    // parse_pipeline(), none for stages built by hand. Used on Windows only, where a
    // program parses its own command line and some read the quotes (`find "LISTENING"`):
    // there the stage gets `argv[0] raw_arguments`, as cmd.exe would pass it, and a stage
    // without them gets argv quoted for CommandLineToArgvW. POSIX programs get argv.
    std::optional<std::string> raw_arguments{};
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
// Windows, where paths are written C:\dir\file: a backslash is literal, except that a run of
// them before a '"' is read as CommandLineToArgvW reads it (2n: n and the quote opens or
// closes; 2n+1: n and a literal '"'), and that outside quotes one still escapes sh syntax
// (\' \$ \| \& \; \< \> \( \) \* \? \[ \# \~ \{ \}) and inside "…" $ and `; never a blank.
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
    // (Windows has no SIGTERM: at the deadline each stage gets CTRL_BREAK_EVENT, which a
    // console program may handle to exit cleanly, and the pipeline's Job Object is terminated
    // `grace` later, or at once when the event cannot be sent or grace is 0.)
    bool pipefail = false;  // exit_code: the last non-zero stage's, not the last stage's
    std::optional<std::vector<std::string>> environment{};  // "K=V" list; none: inherit
    std::filesystem::path working_directory{};              // empty: inherit
    // Signals that, while the pipeline runs, are forwarded to its group instead of acting on
    // this process (blocked and read through a signalfd in the calling thread). If the group
    // is still alive `grace` later, it gets SIGKILL.
    // Windows: a console control handler while it runs: CTRL_C (SIGINT), CTRL_BREAK
    // (SIGBREAK) and the console closing (SIGTERM), when listed, become CTRL_BREAK_EVENT to
    // each stage, then the job is terminated `grace` later.
    std::vector<int> forward_signals{};
    // When fd 0 is a terminal and this process is in its foreground group: the pipeline's
    // group is the foreground group while it runs (its stages can read the terminal, ^C
    // and ^Z go to them), and the terminal is given back at the end. A stage stopped by the
    // terminal stops this process too (SIGTSTP), as a shell's job; SIGCONT continues both.
    // For one pipeline run from a command line (runpipe), not for many at once.
    // Windows: ignored (a console has no foreground group; CTRL_C is forwarded instead).
    bool foreground_terminal = false;
    // The command string is run by /bin/sh -c (globbing, variables, ;, &&, …): what a
    // ParseError's "needs --shell" asks for. Only for the command-string forms (an Error
    // with stages). The shell is the one stage; its exit code is the pipeline's.
    // Windows: `cmd /d /s /c "COMMAND"`: cmd.exe reads COMMAND as typed at its prompt.
    bool shell = false;
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

// A started pipeline, for programs that do other things while it runs: poll fd() in an
// event loop (or call poll() now and then), read captured output as it comes, stop it.
//
//   forkline::Pipeline p = forkline::start_pipeline("make 2>&1", {.capture_stdout = true});
//   while (!p.wait(std::chrono::steady_clock::now() + 100ms)) show(p.read_stdout());
//   forkline::PipelineResult r = p.wait();  // r.stdout_data: what read_stdout() had not taken
//
// The pipeline advances only inside this handle's calls (poll(), wait(), read_*()): input
// is written, outputs read, stages reaped, the deadline enforced there. Between calls a
// stage may block on a full output pipe; nothing is lost. Destroying a handle before the
// end SIGKILLs the stages, reaps them and ends their group. Not thread-safe: use it from one
// thread; with forward_signals or foreground_terminal, that is the thread that started it
// (the signals stay blocked in it until the handle is destroyed).
class Pipeline {
  public:
    ~Pipeline();
    Pipeline(Pipeline&&) noexcept;
    Pipeline& operator=(Pipeline&&) noexcept;

    // An epoll descriptor (over the stages' pidfds, the captured outputs, the input pipe and
    // the deadline's timerfd): readable when the pipeline has something to do. Then call
    // poll(). Never readable after the end: check poll()'s answer. Owned by the handle.
    // Windows: -1 (no descriptor): call poll() now and then, or wait(deadline).
    int fd() const;
    // Does what is ready without blocking. True once the pipeline has ended (every stage
    // reaped, captured outputs closed, or the group killed after a timeout or kill()).
    bool poll();
    // Runs the pipeline until it ends or `deadline` passes: true if it has ended. Reaching
    // `deadline` stops nothing (that is PipelineOptions::timeout, or kill()).
    bool wait(std::chrono::steady_clock::time_point deadline);
    // Runs the pipeline to its end and returns the result, once (an Error the second time).
    // Its stdout_data and stderr_data hold what read_stdout() and read_stderr() had not taken.
    PipelineResult wait();
    bool finished() const;

    // The captured bytes that arrived since the last call (after a poll()); empty when none
    // did, or when capture_stdout / capture_stderr is not set.
    std::string read_stdout();
    std::string read_stderr();

    // Sends `signal` to the pipeline's group and to each stage still running. SIGKILL ends
    // it at once (the next poll() or wait() reaps the stages and keeps the output read so
    // far); after another signal it gets SIGKILL if it still runs `grace` later.
    // Windows: kill_signal (9) terminates the pipeline's Job Object; any other value sends
    // CTRL_BREAK_EVENT to each stage, then terminates the job if it still runs `grace` later.
    void kill(int signal = kill_signal);
    // The process group of the stages (the first started stage's pid); 0 when none started.
    // Windows: the first stage's pid (each stage leads a console process group of its own).
    pid_t process_group() const;

  private:
    struct Impl;
    friend Pipeline start_pipeline(std::string_view, const PipelineOptions&);
    friend Pipeline start_pipeline(const std::vector<Stage>&, const PipelineOptions&);
    static Pipeline start(const std::vector<Stage>& stages, const PipelineOptions& options);
    explicit Pipeline(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Starts the stages and returns at once. Throws as run_pipeline() ("could not run");
// stages that cannot be started are in the result, as there.
Pipeline start_pipeline(std::string_view command, const PipelineOptions& options = {});
Pipeline start_pipeline(const std::vector<Stage>& stages, const PipelineOptions& options = {});

// start_pipeline(), then wait(): runs the pipeline to its end.
PipelineResult run_pipeline(std::string_view command, const PipelineOptions& options = {});
PipelineResult run_pipeline(const std::vector<Stage>& stages, const PipelineOptions& options = {});

// The stage that runs `command` with /bin/sh -c (what PipelineOptions::shell starts).
Stage shell_stage(std::string_view command);

}  // namespace forkline
