// PipelineRun on Windows: CreatePipe pipes between the stages, every stage in one Job Object
// (kill-on-close), and one thread per pipe this process reads or writes.
//
// The input and the captured outputs go through a thread per pipe (communicate_windows.hpp
// says why); step() waits on the event those threads set and on the stages' process
// handles together, with the deadline as its timeout.
//
// A deadline (or kill() with another value than kill_signal, or a forwarded CTRL_C): each
// stage gets CTRL_BREAK_EVENT (it leads its own console process group), and `grace` later
// the job is terminated; a grace of 0, or an event that cannot be sent, terminates the job
// at once. TerminateJobObject ends every process the stages started too, and each reports
// "killed by SIGKILL" (exit_status.hpp). The end of a pipe is ERROR_BROKEN_PIPE.
#include <windows.h>

#include <fcntl.h>
#include <io.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "command_lookup.hpp"
#include "communicate_windows.hpp"
#include "pipeline_run.hpp"
#include "spawn.hpp"
#include "utf16.hpp"
#include "windows_error.hpp"

namespace forkline {

namespace {

using Clock = std::chrono::steady_clock;

UniqueHandle open_file(const std::string& path, DWORD access, DWORD disposition) {
    UniqueHandle file(::CreateFileW(widen(path).c_str(), access,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                    disposition, FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!file.valid()) throw_windows_error("cannot open '" + path + "'");
    return file;
}

HANDLE handle_of_fd(int fd) {
    const auto handle = ::_get_osfhandle(fd);
    return handle == -1 ? nullptr : reinterpret_cast<HANDLE>(handle);
}

// A stage's standard handles 0-2: owned here (files), or borrowed. Windows programs have
// no descriptors 3-9: redirecting one is that stage's error.
struct StageIo {
    HANDLE handles[3];
    std::vector<UniqueHandle> opened;  // files from redirections, closed after the spawn

    void apply(const Redirect& redirect) {
        using Kind = Redirect::Kind;
        const int target = redirect.fd >= 0 ? redirect.fd
                           : redirect.kind == Kind::input || redirect.kind == Kind::read_write ? 0
                                                                                               : 1;
        if (target > 2 || (redirect.kind == Kind::duplicate && redirect.from > 2))
            throw Error("descriptor " + std::to_string(target > 2 ? target : redirect.from) +
                        ": only 0-2 can be redirected on Windows");
        auto open_onto = [&](DWORD access, DWORD disposition) {
            opened.push_back(open_file(redirect.path, access, disposition));
            handles[target] = opened.back().get();
        };
        switch (redirect.kind) {
            case Kind::input:
                open_onto(GENERIC_READ, OPEN_EXISTING);
                break;
            case Kind::output:
                open_onto(GENERIC_WRITE, CREATE_ALWAYS);
                break;
            case Kind::append_output:  // FILE_APPEND_DATA alone: every write goes to the end
                open_onto(FILE_APPEND_DATA | SYNCHRONIZE, OPEN_ALWAYS);
                break;
            case Kind::read_write:
                open_onto(GENERIC_READ | GENERIC_WRITE, OPEN_ALWAYS);
                break;
            case Kind::duplicate:
                if (redirect.from < 0 || handles[redirect.from] == nullptr) {
                    throw Error("cannot duplicate descriptor " + std::to_string(redirect.from) +
                                ": not open");
                }
                handles[target] = handles[redirect.from];
                break;
            case Kind::close:
                handles[target] = nullptr;
                break;
        }
    }
};

bool is_path_assignment(const std::string& assignment) {
    return assignment.size() >= 5 &&
           std::toupper(static_cast<unsigned char>(assignment[0])) == 'P' &&
           std::toupper(static_cast<unsigned char>(assignment[1])) == 'A' &&
           std::toupper(static_cast<unsigned char>(assignment[2])) == 'T' &&
           std::toupper(static_cast<unsigned char>(assignment[3])) == 'H' && assignment[4] == '=';
}

// The console control handler for forward_signals: one pipeline at a time forwards (as
// runpipe runs one). The handler runs on a thread of its own: it only records the event.
std::atomic<int> pending_control{0};        // the signal number of a control event, 0: none
std::atomic<HANDLE> control_wake{nullptr};  // the running pipeline's wake event
std::vector<int> forwarded_signals;         // set before the handler is installed

BOOL WINAPI on_control(DWORD event) {
    const int signal = event == CTRL_C_EVENT       ? SIGINT
                       : event == CTRL_BREAK_EVENT ? SIGBREAK
                       : event == CTRL_CLOSE_EVENT ? SIGTERM
                                                   : 0;
    if (signal == 0 || std::find(forwarded_signals.begin(), forwarded_signals.end(), signal) ==
                           forwarded_signals.end()) {
        return FALSE;  // not forwarded: the default action (this process ends)
    }
    int none = 0;
    pending_control.compare_exchange_strong(none, signal);
    if (HANDLE wake = control_wake.load()) ::SetEvent(wake);
    return TRUE;
}

class ControlForwarding {
  public:
    ControlForwarding(const std::vector<int>& signals, HANDLE wake) : active_(!signals.empty()) {
        if (!active_) return;
        forwarded_signals = signals;
        pending_control = 0;
        control_wake = wake;
        ::SetConsoleCtrlHandler(on_control, TRUE);
    }
    ~ControlForwarding() {
        if (!active_) return;
        ::SetConsoleCtrlHandler(on_control, FALSE);
        control_wake = nullptr;
    }
    ControlForwarding(const ControlForwarding&) = delete;
    ControlForwarding& operator=(const ControlForwarding&) = delete;

  private:
    bool active_;
};

}  // namespace

Stage shell_stage(std::string_view command) {
    // /d: no AutoRun commands; /s: cmd takes what is between the outer quotes as typed.
    std::string raw = "/d /s /c \"";
    (raw += command) += '"';
    return {{"cmd", "/d", "/s", "/c", std::string(command)}, {}, {}, raw};
}

namespace {

class WindowsPipelineRun final : public PipelineRun {
  public:
    WindowsPipelineRun(const std::vector<Stage>& stages, PipelineOptions opts, PipelineResult& into)
        : options(std::move(opts)),
          result(into),
          job(create_kill_on_close_job()),
          wake(::CreateEventW(nullptr, FALSE, FALSE, nullptr)),
          forwarding(options.forward_signals, wake.get()) {
        if (!wake.valid()) throw_windows_error("CreateEvent");
        result.stages.resize(stages.size());
        if (options.timeout) deadline = started + *options.timeout;
        try {
            start(stages);
        } catch (...) {
            stop_threads();
            throw;
        }
    }
    ~WindowsPipelineRun() override { stop_threads(); }
    WindowsPipelineRun(const WindowsPipelineRun&) = delete;
    WindowsPipelineRun& operator=(const WindowsPipelineRun&) = delete;

    struct Output {
        Output(std::string* into_string, UniqueHandle read, HANDLE wake)
            : into(into_string), reader(std::move(read), wake) {}
        std::string* into;
        PipeReader reader;
    };

    void start(const std::vector<Stage>& stages);
    void start_stage(std::size_t index, const Stage& stage, StageIo& io,
                     const std::string& search_path);
    bool step(std::chrono::milliseconds timeout) override;
    int fd() const override { return -1; }
    pid_t process_group() const override { return static_cast<pid_t>(first_pid); }
    void kill(int signal) override {
        if (signal == kill_signal) {
            terminate();
        } else {
            interrupt_or_terminate();
        }
        ::SetEvent(wake.get());
    }
    void collect();
    void reap();
    bool running() const {
        return std::any_of(children.begin(), children.end(),
                           [](const auto& child) { return child.has_value(); });
    }
    bool reading() {
        return std::any_of(outputs.begin(), outputs.end(),
                           [](const auto& output) { return !output->reader.done(); });
    }
    void interrupt_or_terminate();
    void terminate() {
        ::TerminateJobObject(job.get(), kKilledExitCode);
        terminated = true;
        kill_at.reset();
    }
    void finish();
    // Ends the job (so no writer blocks) and joins every thread; then nothing runs.
    void stop_threads() {
        if (!finished) ::TerminateJobObject(job.get(), kKilledExitCode);
        if (writer) writer->join();
        for (auto& output : outputs) output->reader.join();
    }

    PipelineOptions options;  // holds the input bytes while they are written
    PipelineResult& result;
    Clock::time_point started = Clock::now();
    UniqueHandle job;
    UniqueHandle wake;  // auto-reset: set by the I/O threads and the control handler
    ControlForwarding forwarding;
    std::vector<std::unique_ptr<Output>> outputs;
    std::optional<PipeWriter> writer;            // of options.input
    std::vector<std::optional<Child>> children;  // empty: could not start, or reaped
    std::vector<Clock::time_point> stage_started;
    std::vector<std::optional<ExitStatus>> statuses;
    std::optional<Clock::time_point> deadline;
    std::optional<Clock::time_point> kill_at;  // after a CTRL_BREAK: when the job ends
    DWORD first_pid = 0;
    bool timed_out = false;
    bool terminated = false;
    int forwarded_signal = 0;
    bool finished = false;
};

void WindowsPipelineRun::start(const std::vector<Stage>& stages) {
    UniqueHandle first_stdin;
    if (options.input) {
        auto pipe = make_pipe();
        first_stdin = std::move(pipe.read);
        // The input is written by a thread: a stage that does not read it, or reads it slowly,
        // blocks only that thread. It ends at the last byte, or when the reader is gone.
        writer.emplace(std::move(pipe.write), *options.input);
    } else if (options.stdin_null) {
        first_stdin = open_file("NUL", GENERIC_READ, OPEN_EXISTING);
    }
    UniqueHandle last_stdout;
    UniqueHandle all_stderr;
    auto capture = [&](bool wanted, UniqueHandle& child_end, std::string& into) {
        if (!wanted) return;
        auto pipe = make_pipe();
        child_end = std::move(pipe.write);
        outputs.push_back(std::make_unique<Output>(&into, std::move(pipe.read), wake.get()));
    };
    capture(options.capture_stdout, last_stdout, result.stdout_data);
    capture(options.capture_stderr, all_stderr, result.stderr_data);

    const auto search_path = search_path_of(options.environment ? &*options.environment : nullptr);
    children.resize(stages.size());
    stage_started.resize(stages.size());
    statuses.resize(stages.size());
    UniqueHandle next_stdin = std::move(first_stdin);
    for (std::size_t i = 0; i < stages.size(); ++i) {
        result.stages[i].argv = stages[i].argv;
        UniqueHandle stdin_handle = std::move(next_stdin);
        UniqueHandle stdout_handle;
        const bool last = i + 1 == stages.size();
        if (!last) {
            auto pipe = make_pipe();
            stdout_handle = std::move(pipe.write);
            next_stdin = std::move(pipe.read);
        }
        const HANDLE final_stdout = last_stdout.valid()      ? last_stdout.get()
                                    : options.stdout_fd >= 0 ? handle_of_fd(options.stdout_fd)
                                                             : ::GetStdHandle(STD_OUTPUT_HANDLE);
        const HANDLE stderr_target = all_stderr.valid()       ? all_stderr.get()
                                     : options.stderr_fd >= 0 ? handle_of_fd(options.stderr_fd)
                                                              : ::GetStdHandle(STD_ERROR_HANDLE);
        StageIo io{{stdin_handle.valid() ? stdin_handle.get() : ::GetStdHandle(STD_INPUT_HANDLE),
                    last ? final_stdout : stdout_handle.get(), stderr_target},
                   {}};
        stage_started[i] = Clock::now();
        start_stage(i, stages[i], io, search_path);
    }
    // Our copies of the children's ends must go, or readers would never see the end.
    last_stdout.reset();
    all_stderr.reset();
}

void WindowsPipelineRun::start_stage(std::size_t index, const Stage& stage, StageIo& io,
                                     const std::string& search_path) {
    auto& stage_result = result.stages[index];
    try {
        for (const auto& redirect : stage.redirects) io.apply(redirect);
    } catch (const Error& e) {
        stage_result.error = e.what();
        stage_result.error_status = 1;
        return;
    }
    std::string stage_search_path = search_path;
    for (const auto& assignment : stage.assignments) {
        if (is_path_assignment(assignment)) stage_search_path = assignment.substr(5);
    }
    const auto program =
        find_program(stage.argv.front(), stage_search_path, options.working_directory);
    if (program.error != 0) {
        stage_result.error = program.error == ENOENT
                                 ? (is_cmd_builtin(stage.argv.front())
                                        ? "command not found (a cmd.exe builtin: use --shell)"
                                        : "command not found")
                             : program.error == EISDIR ? "is a directory"
                                                       : std::strerror(program.error);
        stage_result.error_status = program.error == ENOENT ? 127 : 126;
        return;
    }
    try {
        children[index] =
            spawn({.program = program.path,
                   .args = {stage.argv.begin() + 1, stage.argv.end()},
                   .argv0 = stage.argv.front(),
                   .environment = options.environment,
                   .extra_env = stage.assignments,
                   .working_directory = options.working_directory,
                   .inherit = {{0, io.handles[0]}, {1, io.handles[1]}, {2, io.handles[2]}},
                   .raw_arguments = stage.raw_arguments,
                   .job = job.get()});
        stage_result.pid = children[index]->pid();
        if (first_pid == 0) first_pid = children[index]->pid();
    } catch (const ExecError& e) {
        stage_result.error = windows_error_text(static_cast<DWORD>(e.code().value()));
        stage_result.error_status = exec_failure_status(e);
    }
}

void WindowsPipelineRun::collect() {
    for (auto& output : outputs) output->into->append(output->reader.take());
}

void WindowsPipelineRun::reap() {
    for (std::size_t i = 0; i < children.size(); ++i) {
        if (!children[i]) continue;
        if (auto status = children[i]->try_wait()) {
            statuses[i] = status;
            result.stages[i].duration = Clock::now() - stage_started[i];
            children[i].reset();
        }
    }
}

// CTRL_BREAK to each stage still running, the job terminated `grace` later; at once when
// there is no grace or the event cannot be sent (no console shared with the stages).
void WindowsPipelineRun::interrupt_or_terminate() {
    if (terminated || kill_at) return;
    bool sent = options.grace.count() > 0;
    for (auto& child : children) {
        if (sent && child) sent = child->interrupt();
    }
    if (sent) {
        kill_at = Clock::now() + std::chrono::ceil<Clock::duration>(options.grace);
    } else {
        terminate();
    }
}

bool WindowsPipelineRun::step(std::chrono::milliseconds timeout) {
    if (finished) return true;
    if (!running() && !reading()) {  // nothing left to wait for (no stage started at all)
        finish();
        return true;
    }
    std::vector<HANDLE> handles{wake.get()};
    for (const auto& child : children) {
        if (child) handles.push_back(child->handle());
    }
    auto wait = timeout.count() < 0 ? std::chrono::milliseconds::max() : timeout;
    const auto now = Clock::now();
    for (const auto& until : {deadline, kill_at}) {
        if (until && !terminated)
            wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(
                                      std::max(*until - now, Clock::duration::zero())));
    }
    const DWORD milliseconds =
        wait == std::chrono::milliseconds::max()
            ? INFINITE
            : static_cast<DWORD>(std::min<std::int64_t>(wait.count(), INFINITE - 1));
    // Up to 64 handles: a pipeline of more than 63 stages is polled instead.
    const auto count =
        static_cast<DWORD>(std::min<std::size_t>(handles.size(), MAXIMUM_WAIT_OBJECTS));
    ::WaitForMultipleObjects(
        count, handles.data(), FALSE,
        handles.size() > count ? std::min<DWORD>(milliseconds, 10) : milliseconds);
    collect();
    reap();
    if (const int control = pending_control.exchange(0); control != 0 && forwarded_signal == 0) {
        forwarded_signal = control;
        interrupt_or_terminate();
    }
    if (deadline && !timed_out && Clock::now() >= *deadline) {
        timed_out = true;
        interrupt_or_terminate();
    }
    if (kill_at && Clock::now() >= *kill_at) terminate();
    if (!running() && !reading()) finish();
    return finished;
}

void WindowsPipelineRun::finish() {
    // What the stages left running does not outlive the pipeline (as a POSIX group's end).
    ::TerminateJobObject(job.get(), kKilledExitCode);
    finished = true;
    if (writer) writer->join();
    for (auto& output : outputs) output->reader.join();
    collect();
    result.timed_out = timed_out;
    result.forwarded_signal = forwarded_signal;
    record_end(result, statuses, options.pipefail, started);
}

}  // namespace

std::unique_ptr<PipelineRun> start_pipeline_run(const std::vector<Stage>& stages,
                                                const PipelineOptions& options,
                                                PipelineResult& result) {
    return std::make_unique<WindowsPipelineRun>(stages, options, result);
}

}  // namespace forkline
