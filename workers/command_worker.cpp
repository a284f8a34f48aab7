// Serves `forkline run` jobs: runs one command (a pipeline, or SHELL -c with --shell) and
// captures its stdout and stderr: back in the result slot, or, when too big, in files of
// the run's private directory; or, when the job names them, writes them straight into the
// supervisor's FIFOs (live output) or the files of --results. SIGTERM from the
// supervisor cancels the running command: its whole process group gets SIGTERM, then
// SIGKILL after the grace period. Usage (by forkline run only): command_worker OUTPUT_DIR
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <forkline/pipeline.hpp>
#include <forkline/serve.hpp>

#include "command_job.hpp"
#include "os_error.hpp"
#include "output.hpp"
#include "standard_fds.hpp"
#include "subreaper.hpp"
#include "tool.hpp"
#include "unique_fd.hpp"

namespace {

// Output too big for the result slot goes to a file of the run's directory.
void save(const std::string& data, const std::filesystem::path& to) {
    const forkline::UniqueFd file(
        ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!file.valid()) forkline::throw_os_error("cannot create " + to.string());
    for (std::size_t done = 0; done < data.size();) {
        const auto n = ::write(file.get(), data.data() + done, data.size() - done);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            forkline::throw_os_error("cannot write " + to.string());
        }
        done += static_cast<std::size_t>(n);
    }
}

// Where a job that does not capture writes: a FIFO the supervisor reads (opened without
// blocking, so that a FIFO with no reader is an error instead of a hang; the job itself
// then gets a blocking descriptor), or a file, created or truncated.
forkline::UniqueFd open_output(const std::string& path) {
    struct stat info {};
    const bool fifo = ::stat(path.c_str(), &info) == 0 && S_ISFIFO(info.st_mode);
    forkline::UniqueFd fd(::open(
        path.c_str(),
        fifo ? O_WRONLY | O_NONBLOCK | O_CLOEXEC : O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) forkline::throw_os_error("cannot open " + cli::quoted(path));
    if (fifo && ::fcntl(fd.get(), F_SETFL, O_WRONLY) != 0)
        forkline::throw_os_error("cannot make " + cli::quoted(path) + " blocking");
    return fd;
}

// The output of a job that does not capture.
struct OutputFiles {
    forkline::UniqueFd out;
    forkline::UniqueFd err;
};

// A cancel that arrived while no command ran is for nobody: drop it.
void forget_pending_sigterm() {
    sigset_t term;
    ::sigemptyset(&term);
    ::sigaddset(&term, SIGTERM);
    const timespec now{0, 0};
    while (::sigtimedwait(&term, nullptr, &now) == SIGTERM) {
    }
}

std::int64_t unix_now_ns() {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

// Runs one job; returns the size of the result written into `result`. The job's stdout
// and stderr are captured through pipes, so that a background process the job started
// and that still writes to them is waited for and its output kept (pipeline.hpp:
// "Processes a pipeline starts"); whatever it left running is ended with it.
std::size_t run_job(const run::CommandJob& job, const std::filesystem::path& directory,
                    std::span<std::byte> result) {
    run::CommandOutcome outcome{};
    outcome.start_unix_ns = unix_now_ns();
    forkline::PipelineOptions options{
        .capture_stdout = true,
        .capture_stderr = true,
        .grace = std::chrono::nanoseconds(static_cast<std::int64_t>(job.grace_s * 1e9)),
        .forward_signals = {SIGTERM}};
    if (job.input.empty()) {
        options.stdin_null = true;
    } else {
        options.input = job.input;
    }
    if (job.timeout_s > 0)
        options.timeout = std::chrono::nanoseconds(static_cast<std::int64_t>(job.timeout_s * 1e9));
    std::string out;
    std::string err;
    OutputFiles files;
    try {
        if (!job.stdout_path.empty()) {
            files.out = open_output(job.stdout_path);
            files.err = open_output(job.stderr_path);
            options.capture_stdout = options.capture_stderr = false;
            options.stdout_fd = files.out.get();
            options.stderr_fd = files.err.get();
        }
        const auto shell = job.shell_program.empty() ? "/bin/sh" : job.shell_program;
        const auto stages = job.shell ? std::vector<forkline::Stage>{{{shell, "-c", job.command}}}
                                      : forkline::parse_pipeline(job.command);
        forget_pending_sigterm();
        auto ran = forkline::run_pipeline(stages, options);
        out = std::move(ran.stdout_data);
        err = std::move(ran.stderr_data);
        for (const auto& stage : ran.stages) {
            if (!stage.error.empty())
                err +=
                    "forkline run: " + cli::quoted(stage.argv.front()) + ": " + stage.error + "\n";
        }
        outcome.exit_code = ran.exit_code;
        outcome.signal = ran.stages.back().signal;
        outcome.timed_out = ran.timed_out ? 1 : 0;
        outcome.cancelled = ran.forwarded_signal != 0 ? 1 : 0;
        outcome.duration_ns = ran.duration.count();
    } catch (const std::exception& e) {  // e.g. a redirection's file cannot be opened
        err += std::string("forkline run: ") + e.what() + "\n";
        outcome.exit_code = 2;
    }
    // This worker is a child subreaper: a process that left the job's group (setsid) and
    // lost its parent came to us, and goes with its job.
    forkline::kill_and_reap_children();
    if (files.err.valid()) {
        // Our own messages follow the job's stderr; the supervisor learns from the result
        // that the job is over, so every writer must be gone before it is sent.
        cli::write_all(files.err.get(), err, job.stderr_path);
        files = {};
        err.clear();
    }
    outcome.stdout_bytes = out.size();
    outcome.stderr_bytes = err.size();
    outcome.output_inline = out.size() + err.size() <= result.size() - sizeof outcome;
    if (outcome.output_inline) {
        auto* output = result.data() + sizeof outcome;
        std::memcpy(output, out.data(), out.size());
        std::memcpy(output + out.size(), err.data(), err.size());
    } else {
        const auto paths = run::output_paths(directory, job.seq);
        save(out, paths.out);
        save(err, paths.err);
    }
    std::memcpy(result.data(), &outcome, sizeof outcome);
    return sizeof outcome + (outcome.output_inline ? out.size() + err.size() : 0);
}

}  // namespace

int main(int argc, char** argv) {
    forkline::ensure_standard_fds();  // before attaching: the segment must not become fd 1
    if (argc != 2) {
        std::fprintf(stderr, "usage: command_worker OUTPUT_DIR (started by forkline run)\n");
        return 2;
    }
    const std::filesystem::path directory = argv[1];
    // SIGTERM stays blocked: run_pipeline reads it through a signalfd while a command runs.
    sigset_t term;
    ::sigemptyset(&term);
    ::sigaddset(&term, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &term, nullptr);
    // What a job's processes orphan comes to this worker, never to init (subreaper.hpp).
    const forkline::ChildSubreaper subreaper;
    return forkline::serve([&](std::span<const std::byte> bytes, std::span<std::byte> result) {
        return run_job(run::decode(bytes), directory, result);
    });
}
