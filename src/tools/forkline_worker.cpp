// forkline worker: serve a Redis queue with a local pool of worker processes (docs/redis.md).
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <forkline/error.hpp>
#include <forkline/pool.hpp>
#include <forkline/redis.hpp>
#include <string>
#include <thread>

#include "command_job.hpp"
#include "keys.hpp"
#include "option_numbers.hpp"
#include "options.hpp"
#include "output_directory.hpp"
#include "subcommands.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace {

constexpr const char* kWorkerUsage =
    R"(usage: forkline worker --redis URL [--queue NAME] [OPTIONS] [PROGRAM [ARGS…]]

Take jobs from the Redis queue NAME and run them on local worker processes of PROGRAM (a
worker executable such as prime_worker: a name is looked up beside forkline and in its
install libexecdir, a path is used as is), run after run: a supervisor on any host
(procs --redis URL, or a forkline::RedisPool) submits them. Start it on as many hosts as you
like, before or after the supervisor.
  forkline worker --redis redis://db.example:6379/0 --queue primes prime_worker
Without PROGRAM it runs the command jobs of forkline run --redis URL (default queue:
forkline): each job's command runs here, its output goes back through Redis.
  forkline worker --redis redis://db.example:6379/0 --queue render -j 8

Options:
  --redis URL     redis://[user:password@]host[:port][/db]
  --queue NAME    the queue to serve (letters, digits, '_', '.', '-'); required with
                  PROGRAM, default 'forkline' for command jobs
  --host NAME     command jobs: the host name their joblog lines and JSON show
                  (default: this host's name)
  -j, --workers N local worker processes (default: the number of cores)
  --prefetch N    jobs held from Redis at once (default: adaptive, about 50 ms of work,
                  at least 2 × -j); more suits tiny jobs, fewer balances long jobs
  --max-size B    with PROGRAM: largest job and result in bytes (default 65536); a
                  larger job is reported failed (command jobs: up to 1 MiB, any output)
  --once          exit after serving one run (default: wait for the next one)
  --give-up S     retry a lost connection for S seconds with exponential backoff
                  (50 ms to 1 s between tries), then fail (default 15); the first
                  connection fails after 2 s
  -h, --help      show this help
  --version       show the version

Options come before PROGRAM: what follows it are PROGRAM's own arguments.

SIGINT/SIGTERM: it puts the jobs it holds back in the queue and exits (128 + the signal). A
killed worker host loses nothing either: after its heartbeat expires (5 s) the supervisor
puts its jobs back. Exit status: 0 after --once, 1 on a lost connection or a worker that
cannot start, 2 on bad usage.
)";

using cli::UsageError;

// SIGINT/SIGTERM stop it cleanly: the bridge thread gives its jobs back to the queue and
// exits. The signals are blocked in every thread and taken here with sigtimedwait.
int serve_until_signal(const forkline::RedisWorkerOptions& options) {
    sigset_t stop_signals;
    ::sigemptyset(&stop_signals);
    ::sigaddset(&stop_signals, SIGINT);
    ::sigaddset(&stop_signals, SIGTERM);
    ::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // before the thread: it inherits
    std::atomic<bool> finished{false};
    std::exception_ptr error;
    std::jthread bridge([&](std::stop_token stop) {
        try {
            forkline::serve_redis(options, stop);
        } catch (...) {
            error = std::current_exception();
        }
        finished = true;
    });
    int signal = 0;
    while (!finished && signal <= 0) {
        const timespec tick{0, 100'000'000};
        signal = ::sigtimedwait(&stop_signals, nullptr, &tick);
    }
    bridge.request_stop();
    bridge.join();
    if (error) std::rethrow_exception(error);
    return signal > 0 ? 128 + signal : 0;
}

}  // namespace

// Command jobs (forkline run --redis): command_worker processes, each with this host's
// name and the Redis URL (their large outputs go back through Redis), and a private
// directory for those outputs while they are sent.
int serve_commands(forkline::RedisWorkerOptions& options, const std::string& host) {
    const run::OutputDirectory directory;
    options.worker_program = forkline::find_worker("command_worker");
    options.worker_args = {directory.path().string(), options.url, host};
    options.max_job_size = run::kMaxJobBytes;
    options.max_result_size = run::kMaxResultBytes;
    options.adopt_orphans = true;  // this process starts no other child
    options.guard_jobs = true;
    return serve_until_signal(options);
}

int worker_main(int argc, char** argv) {
    forkline::RedisWorkerOptions options{.give_up = std::chrono::seconds(15)};
    std::string host;
    bool max_size_given = false;
    const auto operands = cli::parse_options(
        argc, argv, 2, {"forkline worker", kWorkerUsage},
        {
            {"redis", 0, true, [&](auto& url) { options.url = url; }},
            {"queue", 0, true, [&](auto& name) { options.queue = name; }},
            {"workers", 'j', true,
             [&](auto& n) {
                 options.workers = cli::parse_count_as<unsigned>("-j", n, 1, cli::kMaxWorkers);
             }},
            {"prefetch", 0, true,
             [&](auto& n) {
                 options.prefetch = cli::parse_count_as<unsigned>("--prefetch", n, 1, 65536);
             }},
            {"max-size", 0, true,
             [&](auto& n) {
                 options.max_job_size = options.max_result_size =
                     cli::parse_count_as<unsigned>("--max-size", n, 1, 1u << 30);
                 max_size_given = true;
             }},
            {"host", 0, true,
             [&](auto& name) {
                 if (name.empty() || name.size() > 255)
                     throw UsageError("--host needs a name of 1 to 255 bytes");
                 host = name;
             }},
            {"once", 0, false, [&](auto&) { options.once = true; }},
            {"give-up", 0, true,
             [&](auto& s) {
                 options.give_up =
                     std::chrono::seconds(cli::parse_count_as<unsigned>("--give-up", s, 1, 86400));
             }},
        },
        cli::Operands::last);
    if (options.url.empty()) throw UsageError("--redis URL is required");
    try {
        forkline::check_redis_url(options.url);
        if (!options.queue.empty()) forkline::redis::checked_queue_name(options.queue);
    } catch (const forkline::Error& e) {
        throw UsageError(e.what());
    }
    if (operands.empty()) {
        if (max_size_given)
            throw UsageError("--max-size is for a PROGRAM: command jobs take up to 1 MiB");
        return serve_commands(options, host.empty() ? run::this_host_name() : host);
    }
    if (!host.empty()) throw UsageError("--host names the host of command jobs: not with PROGRAM");
    if (options.queue.empty()) throw UsageError("--queue NAME is required with a PROGRAM");
    const std::string& program = operands.front();
    options.worker_args.assign(operands.begin() + 1, operands.end());
    options.worker_program = program.find('/') != std::string::npos
                                 ? std::filesystem::path(program)
                                 : forkline::find_worker(program);
    return serve_until_signal(options);
}
