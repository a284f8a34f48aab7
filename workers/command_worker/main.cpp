// Serves `forkline run` jobs: runs one command (a pipeline, or SHELL -c with --shell) and
// captures its stdout and stderr: back in the result slot, or, when too big, in files of
// the run's private directory; or, when the job names them, writes them straight into the
// supervisor's FIFOs (live output) or the files of --results. A cancel from the
// supervisor (cancel.hpp) stops the running command: its whole process group gets SIGTERM,
// then SIGKILL after the grace period (Windows: CTRL_BREAK, then its Job Object ends).
// On a worker host (forkline worker --redis, or forkline run --redis -j N) it also gets the
// Redis URL and the host's name: a job of a Redis run writes its output into files of
// OUTPUT_DIR, sent back inline when small, else in chunks through Redis (bounded memory),
// and is not started once the run asked for no new starts (worker_host.hpp).
// Usage (by forkline run and forkline worker only): command_worker OUTPUT_DIR [REDIS_URL HOST]
#include <chrono>
#include <cstdio>
#include <forkline/pipeline.hpp>
#include <forkline/serve.hpp>
#include <memory>

#include "cancel.hpp"
#include "command_job.hpp"
#include "durable_file.hpp"
#include "job_output.hpp"
#include "os_error.hpp"
#include "output.hpp"
#include "standard_fds.hpp"
#include "subreaper.hpp"
#include "tool.hpp"
#include "utf8_path.hpp"
#include "worker_host.hpp"

namespace {

using command_worker::JobOutputFiles;
using command_worker::WorkerHost;

// Output too big for the result slot goes to a file of the run's directory.
void save(const std::string& data, const std::filesystem::path& to) {
    const auto file = run::open_for_writing(to, run::OpenFor::replacing);
    if (!file.valid()) forkline::throw_os_error("cannot create " + cli::quoted(to.string()));
    cli::write_all(file.get(), data, to.string());
}

std::int64_t unix_now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The command's stages: a pipeline without a shell, or the shell's one stage (--shell:
// /bin/sh -c, Windows: cmd /d /s /c; --shell=SHELL: SHELL -c).
std::vector<forkline::Stage> command_stages(const run::CommandJob& job) {
    if (!job.shell) return forkline::parse_pipeline(job.command);
    if (job.shell_program.empty()) return {forkline::shell_stage(job.command)};
    return {{{job.shell_program, "-c", job.command}}};
}

// Runs one job; returns the size of the result written into `result`. The job's stdout
// and stderr are captured through pipes, so that a background process the job started
// and that still writes to them is waited for and its output kept (pipeline.hpp:
// "Processes a pipeline starts"); whatever it left running is ended with it. A Redis
// run's job writes into files instead (WorkerHost::output_files()).
std::size_t run_job(const run::CommandJob& job, const std::filesystem::path& directory,
                    WorkerHost* host, std::span<std::byte> result) {
    run::CommandOutcome outcome{};
    const bool remote = !job.output_key.empty();
    if (remote && host == nullptr)
        throw forkline::Error("a job of a Redis run, but no Redis connection (forkline worker)");
    if (remote && host->stop_requested(job.output_key)) {
        outcome.not_started = 1;
        return run::write_result(outcome, host->name(), {}, {}, {}, result);
    }
    outcome.start_unix_ns = unix_now_ns();
    forkline::PipelineOptions options{
        .capture_stdout = true,
        .capture_stderr = true,
        .grace = std::chrono::nanoseconds(static_cast<std::int64_t>(job.grace_s * 1e9)),
        .forward_signals = command_worker::cancel_signals()};
    if (job.input.empty()) {
        options.stdin_null = true;
    } else {
        options.input = job.input;
    }
    if (job.timeout_s > 0)
        options.timeout = std::chrono::nanoseconds(static_cast<std::int64_t>(job.timeout_s * 1e9));
    std::string out;
    std::string err;
    JobOutputFiles files;
    try {
        if (remote || !job.stdout_path.empty()) {
            files = remote ? host->output_files()
                           : JobOutputFiles{command_worker::open_job_output(job.stdout_path),
                                            command_worker::open_job_output(job.stderr_path)};
            options.capture_stdout = options.capture_stderr = false;
            options.stdout_fd = files.out.get();
            options.stderr_fd = files.err.get();
        }
        const auto stages = command_stages(job);
        command_worker::forget_pending_cancel();
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
        return host->send_result(outcome, job, files, result);
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
    return run::write_result(outcome, host != nullptr ? host->name() : "", {}, out, err, result);
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
    const auto directory = forkline::utf8_path(argv[1]);
    std::unique_ptr<WorkerHost> host;
    if (argc == 4) host = command_worker::connect_worker_host(argv[3], argv[2], directory);
    const command_worker::CancelHeld cancel_held;
    // What a job's processes orphan comes to this worker, never to init (subreaper.hpp).
    const forkline::ChildSubreaper subreaper;
    return forkline::serve([&](std::span<const std::byte> bytes, std::span<std::byte> result) {
        return run_job(run::decode(bytes), directory, host.get(), result);
    });
}
