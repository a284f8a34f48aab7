// forkline ports: listening sockets and the processes behind them.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <forkline/pool.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "arguments.hpp"
#include "netstat.hpp"
#include "port_report.hpp"
#include "port_scanner.hpp"
#include "proc_files.hpp"
#include "subcommands.hpp"

namespace {

constexpr const char* kPortsUsage = R"(usage: forkline ports [OPTIONS]

List listening TCP sockets and bound UDP sockets, IPv4 and IPv6 (from /proc/net), each with
the processes that hold it: pid, user, name, state, RSS, threads, CPU time, start time,
open fds and command line. Finding the owners means reading every process's fds; pool
workers do that in parallel.

Options:
  --start-port N   list ports from N (default 1)
  --end-port M     up to M (default 65535)
  --tcp, --udp     only TCP, only UDP (default: both)
  --parallel       read processes with pool workers (the default)
  -j N             that many workers (default: the number of cores)
  --sequential     read them in this process, one after the other
  --benchmark      time sequential and parallel scans and print the comparison
  --json           JSON on stdout: {"listeners": [{protocol, family, address, port, inode,
                   user, processes: [{pid, name, command_line, user, state, rss_bytes,
                   threads, cpu_seconds, start_time, open_fds}]}]}; unknown values are null
  --watch S        scan again every S seconds, like top, until Ctrl-C; off a terminal each
                   scan is printed after the other (with --json: one JSON line per scan)
  --netstat        take the listing from `netstat -tulpnW` (or `ss -tulpn`), run through
                   forkline's pipeline engine; only pid and program name are known then
  --timeout S      --netstat: give up after S seconds (default 10)
  -h, --help       show this help

Without root, other users' processes cannot be matched to their sockets: their rows show
"-" for the process (the socket's user is still known). Processes that exit during a scan
are left out. Exit status: 0, 1 on errors, 2 on bad usage.
)";

using tools::UsageError;

struct PortsOptions {
    ports::SocketFilter filter;
    unsigned workers = 0;  // 0: one per core
    bool sequential = false;
    bool benchmark = false;
    bool json = false;
    double watch_s = 0;
    bool netstat = false;
    double timeout_s = 10;
};

// Seconds: above zero, at most 10^6 (nanosecond arithmetic must not overflow).
double parse_seconds(const std::string& option, const std::string& text) {
    return tools::parse_bounded(option, text, 0.001, 1e6);
}

PortsOptions parse_options(int argc, char** argv) {
    PortsOptions options;
    bool tcp_only = false;
    bool udp_only = false;
    bool timeout_given = false;
    tools::ArgumentReader reader(argc, argv, 2);
    while (!reader.done()) {
        const std::string arg = reader.next();
        if (arg == "-h" || arg == "--help") {
            std::fputs(kPortsUsage, stdout);
            std::exit(0);
        } else if (arg == "--start-port") {
            options.filter.first_port = static_cast<std::uint16_t>(
                tools::parse_bounded<unsigned>(arg, reader.value(), 1, 65535));
        } else if (arg == "--end-port") {
            options.filter.last_port = static_cast<std::uint16_t>(
                tools::parse_bounded<unsigned>(arg, reader.value(), 1, 65535));
        } else if (arg == "--tcp") {
            tcp_only = true;
        } else if (arg == "--udp") {
            udp_only = true;
        } else if (arg == "--parallel") {
            options.sequential = false;
        } else if (arg == "-j") {
            options.workers = tools::parse_bounded<unsigned>(arg, reader.value(), 1, 1024);
        } else if (arg == "--sequential") {
            options.sequential = true;
        } else if (arg == "--benchmark") {
            options.benchmark = true;
        } else if (arg == "--json") {
            options.json = true;
        } else if (arg == "--watch") {
            options.watch_s = parse_seconds(arg, reader.value());
        } else if (arg == "--netstat") {
            options.netstat = true;
        } else if (arg == "--timeout") {
            options.timeout_s = parse_seconds(arg, reader.value());
            timeout_given = true;
        } else {
            throw UsageError("unexpected argument '" + arg + "'");
        }
    }
    if (tcp_only != udp_only) {
        options.filter.tcp = tcp_only;
        options.filter.udp = udp_only;
    }
    if (options.filter.first_port > options.filter.last_port)
        throw UsageError("--start-port is above --end-port");
    if (options.filter.first_port == 0) options.filter.first_port = 1;
    if (options.benchmark && (options.netstat || options.watch_s > 0 || options.sequential))
        throw UsageError("--benchmark runs both modes: no --sequential, --netstat or --watch");
    if (timeout_given && !options.netstat) throw UsageError("--timeout is for --netstat only");
    if (options.workers == 0) options.workers = forkline::available_cores();
    if (options.sequential) options.workers = 0;  // the scanner's "in this process"
    return options;
}

std::chrono::nanoseconds to_duration(double seconds) {
    return std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9));
}

void print_listeners(const PortsOptions& options, const std::vector<ports::Listener>& listeners) {
    if (options.json) {
        std::printf("%s\n", ports::to_json(listeners)
                                .dump(options.watch_s > 0 ? -1 : 2, ' ', false,
                                      nlohmann::json::error_handler_t::replace)
                                .c_str());
    } else {
        ports::print_table(stdout, listeners);
    }
    std::fflush(stdout);
}

// Blocks SIGINT and SIGTERM so that a watch ends between two scans: waits `seconds` for
// one of them and says whether it came. They stay blocked until the process exits: a second
// one while it shuts down (timeout(1) sends its signal twice: to the child and to the group)
// must not turn a clean exit 0 into death by signal.
class StopSignals {
  public:
    StopSignals() {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        ::pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    }

    bool wait(double seconds) const {
        const auto whole = std::floor(seconds);
        const timespec timeout{static_cast<time_t>(whole),
                               static_cast<long>((seconds - whole) * 1e9)};
        return ::sigtimedwait(&set_, nullptr, &timeout) > 0;
    }

  private:
    sigset_t set_{};
};

int watch(const PortsOptions& options) {
    const StopSignals stop;  // first: a Ctrl-C while the pool starts ends the watch cleanly too
    ports::PortScanner scanner(options.netstat ? 0 : options.workers);
    const bool terminal = ::isatty(STDOUT_FILENO) != 0;
    do {
        const auto listeners =
            options.netstat ? ports::run_netstat(options.filter, to_duration(options.timeout_s))
                            : scanner.scan(options.filter);
        const auto now = std::time(nullptr);
        char clock[16];
        std::strftime(clock, sizeof clock, "%H:%M:%S", std::localtime(&now));
        if (terminal) std::fputs("\033[H\033[2J", stdout);  // home, clear: redraw in place
        if (!options.json) {
            std::printf("forkline ports at %s, every %g s, %zu sockets (Ctrl-C to quit)\n\n", clock,
                        options.watch_s, listeners.size());
        }
        print_listeners(options, listeners);
        if (!terminal && !options.json) std::putchar('\n');
    } while (!stop.wait(options.watch_s));
    return 0;
}

int benchmark(const PortsOptions& options) {
    using Clock = std::chrono::steady_clock;
    constexpr int kRounds = 5;
    const auto best_of = [&](ports::PortScanner& scanner, std::size_t& sockets) {
        double best = 1e9;
        for (int round = 0; round < kRounds; ++round) {
            const auto started = Clock::now();
            sockets = scanner.scan(options.filter).size();
            best = std::min(best, std::chrono::duration<double>(Clock::now() - started).count());
        }
        return best;
    };
    std::size_t sockets = 0;
    ports::PortScanner sequential(0);
    const double sequential_s = best_of(sequential, sockets);
    const auto pool_started = Clock::now();
    ports::PortScanner parallel(options.workers);
    const double startup_s = std::chrono::duration<double>(Clock::now() - pool_started).count();
    const double parallel_s = best_of(parallel, sockets);
    const auto processes = ports::list_pids().size();
    if (options.json) {
        std::printf("%s\n", nlohmann::json{{"processes", processes},
                                           {"sockets", sockets},
                                           {"workers", options.workers},
                                           {"sequential_s", sequential_s},
                                           {"parallel_s", parallel_s},
                                           {"pool_startup_s", startup_s},
                                           {"speedup", sequential_s / parallel_s}}
                                .dump(2)
                                .c_str());
        return 0;
    }
    std::printf("%zu processes, %zu sockets; best of %d scans each\n\n", processes, sockets,
                kRounds);
    std::printf("%-22s %10s %8s\n", "mode", "seconds", "speedup");
    std::printf("%-22s %10.4f %8.2f\n", "sequential", sequential_s, 1.0);
    const auto label = "parallel (" + std::to_string(options.workers) + " workers)";
    std::printf("%-22s %10.4f %8.2f\n", label.c_str(), parallel_s, sequential_s / parallel_s);
    std::printf("\npool start-up, paid once: %.4f s\n", startup_s);
    return 0;
}

}  // namespace

int ports_main(int argc, char** argv) {
    const auto options = parse_options(argc, argv);
    if (options.benchmark) return benchmark(options);
    if (options.watch_s > 0) return watch(options);
    ports::PortScanner scanner(options.netstat ? 0 : options.workers);
    print_listeners(options, options.netstat ? ports::run_netstat(options.filter,
                                                                  to_duration(options.timeout_s))
                                             : scanner.scan(options.filter));
    return 0;
}
