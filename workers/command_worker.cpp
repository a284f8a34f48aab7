// Serves `forkline run` jobs: runs one command (a pipeline, or SHELL -c with --shell) and
// captures its stdout and stderr: back in the result slot, or, when too big, in files of
// the run's private directory; or, when the job names them, writes them straight into the
// supervisor's FIFOs (live output) or the files of --results. SIGTERM from the
// supervisor cancels the running command: its whole process group gets SIGTERM, then
// SIGKILL after the grace period.
// On a worker host (forkline worker --redis, or forkline run --redis -j N) it also gets the
// Redis URL and the host's name: a job of a Redis run writes its output into files of
// OUTPUT_DIR, sent back inline when small, else in chunks through Redis (bounded memory),
// and is not started once the run asked for no new starts.
// Usage (by forkline run and forkline worker only): command_worker OUTPUT_DIR [REDIS_URL HOST]
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <forkline/pipeline.hpp>
#include <forkline/serve.hpp>
#include <optional>

#include "command_job.hpp"
#include "os_error.hpp"
#include "output.hpp"
#include "output_chunks.hpp"
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
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A worker host: where a Redis run's outputs go, and the name its results carry.
struct WorkerHost {
    WorkerHost(std::string host_name, std::string redis_url)
        : name(std::move(host_name)), chunks(std::move(redis_url)) {}

    std::string name;
    forkline::redis::OutputChunks chunks;
};

// A Redis run's job writes into these files (this process's own, reused job after job):
// outputs of any size stay out of memory until they are sent.
OutputFiles remote_output_files(const std::filesystem::path& directory) {
    OutputFiles files;
    const auto stem = directory / ("remote-" + std::to_string(::getpid()));
    for (auto [fd, suffix] : {std::pair{&files.out, ".out"}, std::pair{&files.err, ".err"}}) {
        const auto path = stem.string() + suffix;
        *fd =
            forkline::UniqueFd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!fd->valid()) forkline::throw_os_error("cannot create " + cli::quoted(path));
    }
    return files;
}

std::uint64_t file_size(int fd) {
    struct stat info {};
    forkline::check_os(::fstat(fd, &info), "cannot stat a job's output");
    return static_cast<std::uint64_t>(info.st_size);
}

std::string read_file(int fd, std::uint64_t bytes) {
    std::string data(bytes, '\0');
    for (std::size_t done = 0; done < data.size();) {
        const auto n =
            ::pread(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) forkline::throw_os_error("cannot read a job's output");
        done += static_cast<std::size_t>(n);
    }
    return data;
}

// A Redis run's job ended: its output, in `files`, goes back inline when it fits in the
// result, else in chunks through Redis, unless it exceeds the job's max_output (then the
// job fails with a message instead of its output).
std::size_t send_remote_result(run::CommandOutcome outcome, const run::CommandJob& job,
                               const OutputFiles& files, WorkerHost& host,
                               std::span<std::byte> result) {
    outcome.stdout_bytes = file_size(files.out.get());
    outcome.stderr_bytes = file_size(files.err.get());
    const auto total = outcome.stdout_bytes + outcome.stderr_bytes;
    const auto room = result.size() - sizeof outcome - 2 * 255;
    if (total <= room) {
        outcome.output_inline = 1;
        return run::write_result(outcome, host.name, {},
                                 read_file(files.out.get(), outcome.stdout_bytes),
                                 read_file(files.err.get(), outcome.stderr_bytes), result);
    }
    const auto max_output =
        job.max_output != 0 ? job.max_output : forkline::redis::kDefaultMaxOutputBytes;
    if (total > max_output) {
        const auto message = "forkline run: job " + std::to_string(job.seq) + ": its output of " +
                             std::to_string(total) + " bytes exceeds --max-output (" +
                             std::to_string(max_output) + " bytes): not sent\n";
        outcome.output_inline = 1;
        outcome.stdout_bytes = 0;
        outcome.stderr_bytes = message.size();
        if (outcome.exit_code == 0) outcome.exit_code = 1;
        return run::write_result(outcome, host.name, {}, {}, message, result);
    }
    const forkline::redis::OutputChunks::File sent[] = {{files.out.get(), outcome.stdout_bytes},
                                                        {files.err.get(), outcome.stderr_bytes}};
    const auto id = host.chunks.send(job.output_key, sent);
    outcome.output_chunked = 1;
    return run::write_result(outcome, host.name, id, {}, {}, result);
}

// Runs one job; returns the size of the result written into `result`. The job's stdout
// and stderr are captured through pipes, so that a background process the job started
// and that still writes to them is waited for and its output kept (pipeline.hpp:
// "Processes a pipeline starts"); whatever it left running is ended with it. A Redis
// run's job writes into files instead (remote_output_files()).
std::size_t run_job(const run::CommandJob& job, const std::filesystem::path& directory,
                    WorkerHost* host, std::span<std::byte> result) {
    run::CommandOutcome outcome{};
    const bool remote = !job.output_key.empty();
    if (remote && host == nullptr)
        throw forkline::Error("a job of a Redis run, but no Redis connection (forkline worker)");
    if (remote && host->chunks.stop_requested(job.output_key)) {
        outcome.not_started = 1;
        return run::write_result(outcome, host->name, {}, {}, {}, result);
    }
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
        if (remote || !job.stdout_path.empty()) {
            files = remote
                        ? remote_output_files(directory)
                        : OutputFiles{open_output(job.stdout_path), open_output(job.stderr_path)};
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
    if (remote) {
        cli::write_all(files.err.get(), err, "a job's stderr file");  // after the job's own
        return send_remote_result(outcome, job, files, *host, result);
    }
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
    if (!outcome.output_inline) {
        const auto paths = run::output_paths(directory, job.seq);
        save(out, paths.out);
        save(err, paths.err);
    }
    return run::write_result(outcome, host != nullptr ? host->name : "", {}, out, err, result);
}

}  // namespace

int main(int argc, char** argv) {
    forkline::ensure_standard_fds();  // before attaching: the segment must not become fd 1
    if (argc != 2 && argc != 4) {
        std::fprintf(stderr,
                     "usage: command_worker OUTPUT_DIR [REDIS_URL HOST] (started by forkline run "
                     "and forkline worker)\n");
        return 2;
    }
    const std::filesystem::path directory = argv[1];
    std::optional<WorkerHost> host;
    if (argc == 4) host.emplace(argv[3], argv[2]);
    // SIGTERM stays blocked: run_pipeline reads it through a signalfd while a command runs.
    sigset_t term;
    ::sigemptyset(&term);
    ::sigaddset(&term, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &term, nullptr);
    // What a job's processes orphan comes to this worker, never to init (subreaper.hpp).
    const forkline::ChildSubreaper subreaper;
    return forkline::serve([&](std::span<const std::byte> bytes, std::span<std::byte> result) {
        return run_job(run::decode(bytes), directory, host ? &*host : nullptr, result);
    });
}
