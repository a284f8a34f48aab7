// forkline top: what the pools of this machine are doing (src/top/), and the control
// options that act on one (forkline_top_control.hpp).
#include <sys/types.h>

#include <string>
#include <utility>

#include "forkline_top_control.hpp"
#include "option_numbers.hpp"
#include "options.hpp"
#include "subcommands.hpp"
#include "tool.hpp"
#include "top_session.hpp"
#include "usage_error.hpp"

namespace {

const std::string kTopUsage = std::string(R"(usage: forkline top [OPTIONS] [PID]
       forkline top --redis URL [--queue NAME] [OPTIONS]
       forkline top PID --cancel JOB | --pause | --resume

Shows what forkline pools are doing: every pool of this user on this machine, or the pool
of PID (its supervisor: procs, forkline run, files, ports, a program using the library;
or one of its workers). Per worker: its pid, state (idle, running, dead, starting), the
job it runs and for how long, the jobs it has done, CPU% and memory of the worker and of
the job's processes; for forkline run, the command line and the last line of its output
when that goes to a file. Per pool: jobs submitted, done, failed, cancelled, running and
queued, jobs/s now and on average, the ETA when the total is known, worker deaths,
respawns and jobs run again. The numbers are a snapshot, read without stopping the pool.

Attaching is read-only: top maps the pool's memory through its supervisor's descriptor
(/proc/PID/fd), which only the pool's own user (or root) may open, and never writes to
it. When the pool watched ends (or is killed), top says "pool PID ended" and exits 0.

On a terminal the view fills the screen and is redrawn in place; keys: q quit, s sort
(elapsed, cpu, memory, index), up/down select a worker, k cancel its job, p pause /
resume starting new jobs. Not on a terminal: one plain snapshot (or -n N of them), never
escape codes.

With --cancel, --pause or --resume, top sends that one request to the pool of PID through
the pool's control channel (only its own user or root may), prints the pool's answer
("pool PID: paused") and exits.

With --redis URL: the runs open on that Redis server (docs/redis.md), of queue NAME or
of every queue: the supervisor's heartbeat, the jobs waiting, the results, and per
worker (of forkline worker, on any host) the jobs it holds and its last heartbeat;
the workers reaped as dead. Nothing is written to Redis.

Options:
  -d, --delay S       seconds between two looks (default 1)
  -n, --iterations N  looks, then exit (default: until q on a terminal, one otherwise)
      --json          one JSON object per look (a stream, until -n N or Ctrl-C):
                      {"time", "snapshot": true, "pools": [{"supervisor", "kind",
                      "uptime_s", "jobs": {"submitted", "done", "delivered", "succeeded",
                      "failed", "cancelled", "running", "queued", "parked", "total",
                      "requeued"}, "jobs_per_s_now", "jobs_per_s_average", "eta_s",
                      "worker_deaths", "respawns", "supervisor_usage", "workers":
                      [{"index", "pid", "state", "job_id", "elapsed_s", "jobs_done",
                      "usage", "job_group", "job_usage", "command", "last_line"}]}],
                      "unreadable": [{"supervisor", "error"}]}; usage: {"cpu_percent",
                      "rss_bytes", "processes"} or null
      --redis URL     a Redis server's runs: redis://[user:password@]host[:port][/db]
      --queue NAME    with --redis: that queue only (default: every queue)
                      JSON: {"time", "snapshot": true, "runs": [{"queue", "run", "age_s",
                      "supervisor_alive", "done", "queued", "results", "workers":
                      [{"name", "host", "heartbeat_age_s", "jobs"}], "dead"}]}
)") + kTopControlHelp + R"(  -h, --help          show this help
      --version       show the version

Exit status: 0 (also when the pool ended), 1 an error (the process runs no pool, it is
another user's; a control request refused or not answered), 2 bad usage.
)";

}  // namespace

int top_main(int argc, char** argv) {
    top::TopOptions options;
    TopControl control;
    auto accepted = top_control_options(control);
    accepted.insert(accepted.end(),
                    {
                        {"delay", 'd', true,
                         [&](auto& s) {
                             options.interval_s = cli::parse_real("-d", s, 0.01, cli::kMaxSeconds);
                         }},
                        {"iterations", 'n', true,
                         [&](auto& n) {
                             options.iterations =
                                 cli::parse_count_as<std::uint64_t>("-n", n, 1, 1'000'000'000);
                         }},
                        {"json", 0, false, [&](auto&) { options.json = true; }},
                        // Empty is refused, not read as "not given" (an unset $URL).
                        {"redis", 0, true,
                         [&](auto& url) {
                             if (url.empty()) throw cli::UsageError("--redis needs a URL");
                             options.redis_url = url;
                         }},
                        {"queue", 0, true,
                         [&](auto& name) {
                             if (name.empty()) throw cli::UsageError("--queue needs a name");
                             options.queue = name;
                         }},
                    });
    const auto operands =
        cli::parse_options(argc, argv, 2, {"forkline top", kTopUsage.c_str()}, std::move(accepted));
    if (operands.size() > 1)
        throw cli::UsageError("unexpected argument " + cli::quoted(operands[1]));
    if (!options.queue.empty() && options.redis_url.empty())
        throw cli::UsageError("--queue needs --redis");
    if (!options.redis_url.empty() && !operands.empty())
        throw cli::UsageError("--redis shows a Redis server's runs, not the pool of a PID");
    if (!operands.empty()) {
        options.pid = cli::parse_count_as<pid_t>("PID", operands[0], 1, 1 << 22);
    }
    if (control.given()) {
        if (!options.pid) throw cli::UsageError("no PID given");
        if (options.json || options.iterations || !options.redis_url.empty())
            throw cli::UsageError(
                "--cancel, --pause and --resume send one request: no view options");
        return run_top_control(*options.pid, control);
    }
    return top::run_top(options);
}
