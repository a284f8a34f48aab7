// PipelineRun on POSIX: wire the stages together with kernel pipes, start them in one
// process group, then step the communicator (pipeline.cpp is the handle around it).
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <forkline/pipeline.hpp>

#include "command_lookup.hpp"
#include "communicate.hpp"
#include "foreground_terminal.hpp"
#include "job_group_record.hpp"
#include "os_error.hpp"
#include "pipeline_group.hpp"
#include "pipeline_run.hpp"
#include "spawn.hpp"

namespace forkline {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPipeCapacity = 1 << 20;  // fewer wake-ups between stages: ~3x throughput

struct Pipe {
    UniqueFd read;
    UniqueFd write;
};

Pipe make_pipe() {
    int fds[2];
    check_os(::pipe2(fds, O_CLOEXEC), "pipe2");
    ::fcntl(fds[1], F_SETPIPE_SZ, kPipeCapacity);  // best effort: capped by pipe-max-size
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void set_nonblocking(int fd) {
    check_os(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK), "fcntl O_NONBLOCK");
}

UniqueFd open_file(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0666);
    if (fd < 0) throw_os_error("cannot open '" + path + "'");
    return UniqueFd(fd);
}

// The descriptors 0-9 of one stage: fds owned here, or borrowed from the caller.
struct StageIo {
    static constexpr int kDescriptors = 10;  // 0-9: what sh redirects (and the parser accepts)
    std::array<int, kDescriptors> fds;       // the parent's fd each one becomes; -1: closed
    std::vector<UniqueFd> opened;            // files from redirections, closed after the spawn

    StageIo(int in, int out, int err) {
        fds.fill(-1);  // 3-9 are not open until a redirection opens them
        fds[0] = in;
        fds[1] = out;
        fds[2] = err;
    }

    // Throws Error, the stage's failure (as sh fails a command whose redirection fails).
    void apply(const Redirect& redirect) {
        using Kind = Redirect::Kind;
        const int target = redirect.fd >= 0 ? redirect.fd
                           : redirect.kind == Kind::input || redirect.kind == Kind::read_write ? 0
                                                                                               : 1;
        if (target >= kDescriptors)
            throw Error("descriptor " + std::to_string(target) + ": only 0-9 can be redirected");
        auto open_onto = [&](int flags) {
            opened.push_back(open_file(redirect.path, flags));
            fds[target] = opened.back().get();
        };
        switch (redirect.kind) {
            case Kind::input:
                open_onto(O_RDONLY);
                break;
            case Kind::output:
                open_onto(O_WRONLY | O_CREAT | O_TRUNC);
                break;
            case Kind::append_output:
                open_onto(O_WRONLY | O_CREAT | O_APPEND);
                break;
            case Kind::read_write:
                open_onto(O_RDWR | O_CREAT);
                break;
            case Kind::duplicate:
                if (redirect.from < 0 || redirect.from >= kDescriptors || fds[redirect.from] < 0) {
                    throw Error("cannot duplicate descriptor " + std::to_string(redirect.from) +
                                ": not open");
                }
                fds[target] = fds[redirect.from];
                break;
            case Kind::close:
                fds[target] = -1;
                break;
        }
    }

    // For spawn(): 0-2 always (closed ones included), 3-9 when open.
    std::vector<std::pair<int, int>> inherit() const {
        std::vector<std::pair<int, int>> pairs;
        for (int fd = 0; fd < kDescriptors; ++fd) {
            if (fd <= STDERR_FILENO || fds[fd] >= 0) pairs.emplace_back(fd, fds[fd]);
        }
        return pairs;
    }
};

std::string describe_lookup_error(int error) {
    switch (error) {
        case ENOENT:
            return "command not found";
        case EISDIR:
            return "is a directory";
        default:
            return std::strerror(error);
    }
}

// Blocks `signals` in this thread for its lifetime and reads them through a signalfd.
class ForwardedSignals {
  public:
    explicit ForwardedSignals(const std::vector<int>& signals) {
        if (signals.empty()) return;
        sigset_t set;
        ::sigemptyset(&set);
        for (int signal : signals) ::sigaddset(&set, signal);
        ::pthread_sigmask(SIG_BLOCK, &set, &saved_);
        fd_ = UniqueFd(check_os(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK), "signalfd"));
        active_ = true;
    }
    ~ForwardedSignals() {
        if (!active_) return;
        // One that came after the pipeline ended is consumed here: unblocked, it would act
        // on this process, which was told it is forwarded.
        signalfd_siginfo info{};
        while (::read(fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        }
        ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
    }
    ForwardedSignals(const ForwardedSignals&) = delete;
    ForwardedSignals& operator=(const ForwardedSignals&) = delete;
    int fd() const { return fd_.valid() ? fd_.get() : -1; }

  private:
    UniqueFd fd_;
    sigset_t saved_{};
    bool active_ = false;
};

std::optional<Child> start_stage(const Stage& stage, StageIo& io, const std::string& search_path,
                                 pid_t group, const PipelineOptions& options, int terminal,
                                 StageResult& result) {
    try {
        for (const auto& redirect : stage.redirects) io.apply(redirect);
    } catch (const Error& e) {
        result.error = e.what();
        result.error_status = 1;
        return std::nullopt;
    }
    // "PATH=… cmd" looks cmd up in that PATH, as sh does.
    std::string stage_search_path = search_path;
    for (const auto& assignment : stage.assignments) {
        if (assignment.starts_with("PATH=")) stage_search_path = assignment.substr(5);
    }
    const auto program =
        find_program(stage.argv.front(), stage_search_path, options.working_directory);
    if (program.error != 0) {
        result.error = describe_lookup_error(program.error);
        result.error_status = program.error == ENOENT ? 127 : 126;
        return std::nullopt;
    }
    try {
        auto child = spawn({.program = program.path,
                            .args = {stage.argv.begin() + 1, stage.argv.end()},
                            .argv0 = stage.argv.front(),
                            .environment = options.environment,
                            .extra_env = stage.assignments,
                            .inherit = io.inherit(),
                            .process_group = group,
                            .working_directory = options.working_directory,
                            .foreground_terminal = terminal,
                            .group_record = job_group_record()});
        result.pid = child.pid();
        return child;
    } catch (const ExecError& e) {  // exec failed: bad interpreter, exec format…
        result.error = e.code().message();
        result.error_status = e.code().value() == ENOENT ? 127 : 126;
        return std::nullopt;
    }
}

}  // namespace

Stage shell_stage(std::string_view command) {
    return {{"/bin/sh", "-c", std::string(command)}};
}

// Everything one pipeline holds while it runs, in the order it is set up; destroyed in
// reverse: the children (SIGKILLed if still running) before their group is ended, the
// terminal given back last.
struct PipelineRun::State {
    State(const std::vector<Stage>& stages, PipelineOptions opts, PipelineResult& into)
        : options(std::move(opts)),
          result(into),
          terminal(options.foreground_terminal),
          forwarded(watched_signals(options, terminal)),
          group(options.grace) {
        result.stages.resize(stages.size());
        spec.grace = options.grace;
        if (options.timeout) spec.deadline = started + *options.timeout;
        start(stages);
        communicator.emplace(spec);
    }

    static std::vector<int> watched_signals(const PipelineOptions& options,
                                            const ForegroundTerminal& terminal) {
        auto signals = options.forward_signals;
        if (terminal.watches_stops()) signals.push_back(SIGCHLD);
        return signals;
    }

    void start(const std::vector<Stage>& stages);
    // Once the communicator is done: the group ended, the statuses in the result.
    void finish();
    bool step(std::chrono::milliseconds timeout) {
        if (!finished && communicator->step(timeout)) finish();
        return finished;
    }

    PipelineOptions options;  // holds the input bytes while they are written
    PipelineResult& result;
    Clock::time_point started = Clock::now();
    // Before the children: given back after they are gone, whatever the way out.
    ForegroundTerminal terminal;
    ForwardedSignals forwarded;
    std::vector<Clock::time_point> stage_started;
    CommunicateSpec spec;
    PipelineGroup group;                         // ended after the children's cleanup
    std::vector<std::optional<Child>> children;  // empty: could not start
    std::optional<Communicator> communicator;
    bool finished = false;
};

void PipelineRun::State::start(const std::vector<Stage>& stages) {
    // Ends of the pipes the stages use; closed here once handed to the children.
    UniqueFd first_stdin;
    if (options.input) {
        auto pipe = make_pipe();
        set_nonblocking(pipe.write.get());
        spec.input = std::move(pipe.write);
        spec.input_data = *options.input;
        first_stdin = std::move(pipe.read);
    } else if (options.stdin_null) {
        first_stdin = open_file("/dev/null", O_RDONLY);
    }
    UniqueFd last_stdout;
    UniqueFd all_stderr;
    auto capture = [&](bool wanted, UniqueFd& child_end, std::string& into) {
        if (!wanted) return;
        auto pipe = make_pipe();
        set_nonblocking(pipe.read.get());
        child_end = std::move(pipe.write);
        spec.outputs.push_back({std::move(pipe.read), &into});
    };
    capture(options.capture_stdout, last_stdout, result.stdout_data);
    capture(options.capture_stderr, all_stderr, result.stderr_data);

    const auto search_path = search_path_of(options.environment ? &*options.environment : nullptr);
    children.resize(stages.size());
    stage_started.resize(stages.size());
    UniqueFd next_stdin = std::move(first_stdin);
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const auto& stage = stages[i];
        auto& stage_result = result.stages[i];
        stage_result.argv = stage.argv;
        UniqueFd stdin_fd = std::move(next_stdin);
        UniqueFd stdout_fd;
        if (i + 1 < stages.size()) {
            auto pipe = make_pipe();
            stdout_fd = std::move(pipe.write);
            next_stdin = std::move(pipe.read);
        }
        const bool last = i + 1 == stages.size();
        const int final_stdout = last_stdout.valid()      ? last_stdout.get()
                                 : options.stdout_fd >= 0 ? options.stdout_fd
                                                          : STDOUT_FILENO;
        const int stderr_target = all_stderr.valid()       ? all_stderr.get()
                                  : options.stderr_fd >= 0 ? options.stderr_fd
                                                           : STDERR_FILENO;
        StageIo io(stdin_fd.valid() ? stdin_fd.get() : STDIN_FILENO,
                   last ? final_stdout : stdout_fd.get(), stderr_target);
        stage_started[i] = Clock::now();
        // A stage that cannot start is that stage's failure, as in a shell: its pipe ends
        // close now and its neighbours see EOF / EPIPE.
        children[i] = start_stage(stage, io, search_path, group.id(), options,
                                  terminal.fd_for_stages(), stage_result);
        if (children[i] && group.id() == 0) {
            group.started(children[i]->pid());
            terminal.give_to(group.id());
        }
    }
    // Our copies of the children's ends must go, or readers would never see EOF.
    last_stdout.reset();
    all_stderr.reset();

    for (auto& child : children) spec.children.push_back(child ? &*child : nullptr);
    spec.group = group.id();
    spec.signal_fd = forwarded.fd();
    spec.on_child_signal = [this] {
        std::vector<pid_t> running;
        for (const auto& child : children)
            if (child && child->pid() > 0) running.push_back(child->pid());
        terminal.follow_stops(running, group.id());
    };
}

void PipelineRun::State::finish() {
    finished = true;
    group.end();  // what the stages left running does not outlive the pipeline
    const auto& outcome = communicator->outcome();
    for (std::size_t i = 0; i < result.stages.size(); ++i) {
        if (!outcome.statuses[i]) continue;
        auto& stage_result = result.stages[i];
        stage_result.exit_code = outcome.statuses[i]->signal == 0 ? outcome.statuses[i]->code : -1;
        stage_result.signal = outcome.statuses[i]->signal;
        stage_result.duration = outcome.ended[i] - stage_started[i];
    }
    result.timed_out = outcome.timed_out;
    result.forwarded_signal = outcome.forwarded_signal;
    result.exit_code = pipeline_exit_code(result, options.pipefail);
    result.duration = Clock::now() - started;
}

PipelineRun::PipelineRun(const std::vector<Stage>& stages, const PipelineOptions& options,
                         PipelineResult& result)
    : state_(std::make_unique<State>(stages, options, result)) {}

PipelineRun::~PipelineRun() = default;

bool PipelineRun::step(std::chrono::milliseconds timeout) {
    return state_->step(timeout);
}

int PipelineRun::fd() const {
    return state_->communicator->fd();
}

pid_t PipelineRun::process_group() const {
    return state_->group.id();
}

void PipelineRun::kill(int signal) {
    state_->communicator->kill(signal);
}

}  // namespace forkline
