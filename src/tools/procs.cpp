// procs: check numbers for primality across worker processes, printing what the classic
// procs.py prints (../shared/anchors/fluentpython-primes), only faster.
#include <unistd.h>

#include <cstdio>
#include <forkline/pool.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "input.hpp"
#include "numbers.hpp"
#include "option_numbers.hpp"
#include "options.hpp"
#include "output.hpp"
#include "runners.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace {

constexpr const char* kUsage = R"(usage: procs [OPTIONS] [PROCESSES]

Check numbers for primality across PROCESSES worker processes (default: the number of
cores), printing each result as it completes, in the format of the classic procs.py:

  Checking 20 numbers with 2 processes:
                 2  P  0.000001s
  ...
  20 checks in 0.12s

Options:
  --numbers FILE   read the numbers from FILE, one per line ('-' for stdin) instead of
                   the 20 classic ones; each in 0..18446744073709551615
  --mode MODE      seq      one process, in order (as sequential.py)
                   threads  PROCESSES threads in this process (as threads.py)
                   procs    PROCESSES worker processes (default, as procs.py)
                   all      run all three and print a comparison table: wall time,
                            speedup over seq, parallel efficiency (speedup / workers)
  --json           print JSON lines instead: one object per check, then a summary
  --redis URL      send the checks through the Redis server at URL
                   (redis://[user:password@]host[:port][/db]) to `forkline worker`
                   processes on any host; PROCESSES are then the workers procs runs itself
                   beside them (0: remote workers only). See docs/redis.md
  --queue NAME     the queue name the workers serve (default: primes)
  --give-up S      with --redis: retry a lost connection for S seconds (backoff
                   50 ms doubling to 1 s), then fail (default 15); an unreachable
                   host or refused port at start fails after 2 s
  -h, --help       show this help
  --version        show the version

Exit status: 0 on success, 1 if the run failed, 2 on bad usage or input.
)";

using cli::UsageError;

struct Arguments {
    std::optional<unsigned> processes;
    std::optional<std::string> numbers_file;
    std::string mode = "procs";
    bool json = false;
    std::optional<std::string> redis_url;
    std::string queue = "primes";
    unsigned give_up = 15;
    std::string redis_option;  // --queue or --give-up, given (only valid with --redis)
};

Arguments parse_arguments(int argc, char** argv) {
    Arguments args;
    const auto operands = cli::parse_options(
        argc, argv, 1, {"procs", kUsage},
        {
            {"json", 0, false, [&](auto&) { args.json = true; }},
            {"redis", 0, true, [&](auto& url) { args.redis_url = url; }},
            {"queue", 0, true,
             [&](auto& name) {
                 args.queue = name;
                 args.redis_option = "--queue";
             }},
            {"give-up", 0, true,
             [&](auto& text) {
                 args.give_up = cli::parse_count_as<unsigned>("--give-up", text, 1, 86400);
                 args.redis_option = "--give-up";
             }},
            {"numbers", 0, true, [&](auto& file) { args.numbers_file = file; }},
            {"mode", 0, true,
             [&](auto& mode) {
                 if (mode != "seq" && mode != "threads" && mode != "procs" && mode != "all")
                     throw UsageError("unknown mode " + cli::quoted(mode) +
                                      " (seq, threads, procs or all)");
                 args.mode = mode;
             }},
        });
    if (operands.size() > 1) throw UsageError("unexpected argument " + cli::quoted(operands[1]));
    if (!operands.empty()) {
        // 0 only with --redis: remote workers alone.
        args.processes = cli::parse_count_as<unsigned>("PROCESSES", operands[0],
                                                       args.redis_url ? 0 : 1, cli::kMaxWorkers);
    }
    if (args.redis_url) {
        try {
            primes::check_redis_run({*args.redis_url, args.queue});
        } catch (const forkline::Error& e) {
            throw UsageError(e.what());
        }
    }
    if (!args.redis_url && !args.redis_option.empty())
        throw UsageError(args.redis_option + " goes with --redis");
    if (args.redis_url && args.mode != "procs")
        throw UsageError("--redis runs --mode procs only, not " + cli::quoted(args.mode));
    return args;
}

std::vector<std::uint64_t> load_numbers(const Arguments& args) {
    if (!args.numbers_file) return primes::classic_numbers();
    try {  // bad input, not a failed run: exit 2
        std::istringstream text(cli::read_input(*args.numbers_file));
        return primes::read_numbers(text,
                                    *args.numbers_file == "-" ? "<stdin>" : *args.numbers_file);
    } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
    }
}

void print_check(const primes::Check& c) {
    std::printf("%16llu  %c %9.6fs\n", static_cast<unsigned long long>(c.n), c.prime ? 'P' : ' ',
                c.elapsed.count());
    cli::check_output(stdout);  // a line as each check ends, and no run on into a dead output
}

void print_check_json(const primes::Check& c) {
    std::puts(nlohmann::json{{"n", c.n}, {"prime", c.prime}, {"elapsed", c.elapsed.count()}}
                  .dump()
                  .c_str());
}

using Seconds = std::chrono::duration<double>;

Seconds run_mode(const Arguments& args, const std::string& mode,
                 const std::vector<std::uint64_t>& numbers, unsigned workers,
                 const primes::CheckCallback& on_check) {
    if (args.redis_url) {
        return primes::run_redis(
            numbers, {*args.redis_url, args.queue, workers, std::chrono::seconds(args.give_up)},
            on_check);
    }
    if (mode == "seq") return primes::run_sequential(numbers, on_check);
    if (mode == "threads") return primes::run_threads(numbers, workers, on_check);
    return primes::run_processes(numbers, workers, on_check);
}

// One mode, printed as its classic script does (or as JSON lines).
void run_one(const Arguments& args, const std::vector<std::uint64_t>& numbers, unsigned workers) {
    std::size_t checked = 0;
    std::size_t prime_count = 0;
    const auto print = args.json ? print_check_json : print_check;
    if (!args.json) {
        if (args.mode == "seq") {
            std::printf("Checking %zu numbers sequentially:\n", numbers.size());
        } else {
            std::printf("Checking %zu numbers with %u %s:\n", numbers.size(), workers,
                        args.mode == "threads" ? "threads" : "processes");
        }
        cli::check_output(stdout);
    }
    const auto wall = run_mode(args, args.mode, numbers, workers, [&](const primes::Check& c) {
        ++checked;
        prime_count += c.prime ? 1 : 0;
        print(c);
    });
    if (args.json) {
        const nlohmann::json summary{{"summary",
                                      {{"mode", args.mode},
                                       {"workers", args.mode == "seq" ? 1u : workers},
                                       {"checked", checked},
                                       {"primes", prime_count},
                                       {"wall", wall.count()}}}};
        std::puts(summary.dump().c_str());
    } else if (args.mode == "seq") {
        std::printf("Total time: %.2fs\n", wall.count());
    } else {
        std::printf("%zu checks in %.2fs\n", checked, wall.count());
    }
}

// --mode all: the three classic scripts side by side.
void run_all(const Arguments& args, const std::vector<std::uint64_t>& numbers, unsigned workers) {
    struct Row {
        const char* mode;
        unsigned workers;
        Seconds wall;
    };
    std::vector<Row> rows;
    const bool show_progress = ::isatty(STDERR_FILENO) != 0;  // a long run, and no lines to watch
    for (const char* mode : {"seq", "threads", "procs"}) {
        const unsigned w = std::string(mode) == "seq" ? 1 : workers;
        std::size_t done = 0;
        const auto progress = [&](const primes::Check&) {
            if (show_progress)
                std::fprintf(stderr, "\r\033[K%s: %zu/%zu checked", mode, ++done, numbers.size());
        };
        rows.push_back({mode, w, run_mode(args, mode, numbers, w, progress)});
    }
    if (show_progress) std::fputs("\r\033[K", stderr);
    const double base = rows.front().wall.count();
    if (args.json) {
        nlohmann::json table = nlohmann::json::array();
        for (const auto& row : rows) {
            const double speedup = base / row.wall.count();
            table.push_back({{"mode", row.mode},
                             {"workers", row.workers},
                             {"wall", row.wall.count()},
                             {"speedup", speedup},
                             {"efficiency", speedup / row.workers}});
        }
        std::puts(nlohmann::json{{"numbers", numbers.size()}, {"modes", table}}.dump().c_str());
        return;
    }
    std::printf("Checked %zu numbers in each mode:\n", numbers.size());
    std::printf("%-8s %8s %10s %8s %11s\n", "mode", "workers", "wall (s)", "speedup", "efficiency");
    for (const auto& row : rows) {
        const double speedup = base / row.wall.count();
        std::printf("%-8s %8u %10.3f %7.2fx %11.2f\n", row.mode, row.workers, row.wall.count(),
                    speedup, speedup / row.workers);
    }
}

}  // namespace

int main(int argc, char** argv) {
    return cli::run_tool({"procs"}, [&] {
        const auto args = parse_arguments(argc, argv);
        const auto numbers = load_numbers(args);
        const unsigned workers = args.processes.value_or(forkline::available_cores());
        if (args.mode == "all") {
            run_all(args, numbers, workers);
        } else {
            run_one(args, numbers, workers);
        }
        return 0;
    });
}
