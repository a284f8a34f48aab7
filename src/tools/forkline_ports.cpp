// forkline ports: listening sockets and the processes behind them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <forkline/pool.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "netstat.hpp"
#include "option_numbers.hpp"
#include "options.hpp"
#include "output.hpp"
#include "port_report.hpp"
#include "port_scanner.hpp"
#include "process_info.hpp"
#include "subcommands.hpp"
#include "tool.hpp"
#include "usage_error.hpp"
#include "watch_console.hpp"

namespace {

constexpr const char* kPortsUsage = R"(usage: forkline ports [OPTIONS]

List listening TCP sockets and bound UDP sockets, IPv4 and IPv6 (from /proc/net; on Windows
from iphlpapi's tables), each with the processes that hold it: pid, user, name, state, RSS,
threads, CPU time, start time, open fds and command line. On Linux, finding the owners means
reading every process's fds: pool workers do that in parallel. Windows' tables name the
owners, so only their details are read, in this process (-j and --parallel change nothing).

Options:
  --start-port N   list ports from N (default 1)
  --end-port M     up to M (default 65535)
  --tcp, --udp     only TCP, only UDP (default: both)
  --parallel       read processes with pool workers (the default)
  -j, --workers N  that many workers (default: the number of cores)
  --sequential     read them in this process, one after the other
  --benchmark      time sequential and parallel scans and print the comparison
  --json           JSON on stdout: {"listeners": [{protocol, family, address, port, inode,
                   user, processes: [{pid, name, command_line, user, state, rss_bytes,
                   threads, cpu_seconds, start_time, open_fds}]}]}; unknown values are null
  --watch S        scan again every S seconds, like top, until Ctrl-C; on a terminal each
                   scan redraws the screen, lines cut to its width (and redrawn when it is
                   resized); off a terminal each scan is printed after the other, whole
                   (with --json: one JSON line per scan)
  --netstat        take the listing from `netstat -tulpnW` (or `ss -tulpn`), run through
                   forkline's pipeline engine; only pid and program name are known then
  --timeout S      --netstat: give up after S seconds (default 10; 0: no timeout)
  -h, --help       show this help
  --version        show the version

Without root, other users' processes cannot be matched to their sockets: their rows show
"-" for the process (the socket's user is still known). Processes that exit during a scan
are left out. Exit status: 0, 1 on errors (a failed write of the output included), 2 on
bad usage.
)";

using cli::UsageError;

struct PortsOptions {
    ports::SocketFilter filter;
    unsigned workers = 0;  // 0: one per core
    bool sequential = false;
    bool benchmark = false;
    bool json = false;
    double watch_s = 0;
    bool netstat = false;
    std::chrono::nanoseconds timeout = std::chrono::seconds(10);  // 0: none
};

PortsOptions parse_arguments(int argc, char** argv) {
    PortsOptions options;
    bool tcp_only = false;
    bool udp_only = false;
    bool timeout_given = false;
    std::string parallel_option;  // "--parallel" or "-j", given
    const auto port = [](const char* option, const std::string& text) {
        return cli::parse_count_as<std::uint16_t>(option, text, 1, 65535);
    };
    const auto operands = cli::parse_options(
        argc, argv, 2, {"forkline ports", kPortsUsage},
        {
            {"start-port", 0, true,
             [&](auto& n) { options.filter.first_port = port("--start-port", n); }},
            {"end-port", 0, true,
             [&](auto& n) { options.filter.last_port = port("--end-port", n); }},
            {"tcp", 0, false, [&](auto&) { tcp_only = true; }},
            {"udp", 0, false, [&](auto&) { udp_only = true; }},
            {"parallel", 0, false, [&](auto&) { parallel_option = "--parallel"; }},
            {"workers", 'j', true,
             [&](auto& n) {
                 parallel_option = "-j";
                 options.workers = cli::parse_count_as<unsigned>("-j", n, 1, cli::kMaxWorkers);
             }},
            {"sequential", 0, false, [&](auto&) { options.sequential = true; }},
            {"benchmark", 0, false, [&](auto&) { options.benchmark = true; }},
            {"json", 0, false, [&](auto&) { options.json = true; }},
            {"watch", 0, true,
             [&](auto& s) {
                 options.watch_s = cli::parse_real("--watch", s, 0.001, cli::kMaxSeconds);
             }},
            {"netstat", 0, false, [&](auto&) { options.netstat = true; }},
            {"timeout", 0, true,
             [&](auto& s) {
                 options.timeout = cli::parse_seconds("--timeout", s);
                 timeout_given = true;
             }},
        });
    if (!operands.empty()) throw UsageError("unexpected argument " + cli::quoted(operands[0]));
    if (tcp_only != udp_only) {
        options.filter.tcp = tcp_only;
        options.filter.udp = udp_only;
    }
    if (options.filter.first_port > options.filter.last_port)
        throw UsageError("--start-port is above --end-port");
    if (options.sequential && !parallel_option.empty())
        throw UsageError("--sequential and " + parallel_option + " contradict each other");
    if (options.benchmark && (options.netstat || options.watch_s > 0 || options.sequential))
        throw UsageError("--benchmark runs both modes: no --sequential, --netstat or --watch");
    if (options.netstat && (options.sequential || !parallel_option.empty()))
        throw UsageError("--netstat reads no process itself: no " +
                         (options.sequential ? std::string("--sequential") : parallel_option));
    if (timeout_given && !options.netstat) throw UsageError("--timeout is for --netstat only");
    if (options.workers == 0) options.workers = forkline::available_cores();
    if (options.sequential) options.workers = 0;  // the scanner's "in this process"
    return options;
}

std::vector<ports::Listener> scan(const PortsOptions& options, ports::PortScanner& scanner) {
    return options.netstat ? ports::run_netstat(options.filter, options.timeout)
                           : scanner.scan(options.filter);
}

void print_listeners(const PortsOptions& options, const std::vector<ports::Listener>& listeners,
                     std::size_t width = 0) {
    if (options.json) {
        std::printf("%s\n", ports::to_json(listeners)
                                .dump(options.watch_s > 0 ? -1 : 2, ' ', false,
                                      nlohmann::json::error_handler_t::replace)
                                .c_str());
    } else {
        ports::print_table(stdout, listeners, width);
    }
}

// One screen of a watch (on a terminal), or one more record (off it).
void draw(const PortsOptions& options, const std::vector<ports::Listener>& listeners,
          const char* clock, bool terminal) {
    const std::size_t width = terminal ? ports::terminal_width() : 0;
    if (terminal) std::fputs("\033[H\033[2J", stdout);  // home, clear: redraw in place
    if (!options.json) {
        char title[128];
        std::snprintf(title, sizeof title,
                      "forkline ports at %s, every %g s, %zu sockets (Ctrl-C to quit)", clock,
                      options.watch_s, listeners.size());
        std::printf("%s\n\n", ports::cut_to_width(title, width).c_str());
    }
    print_listeners(options, listeners, width);
    if (!terminal && !options.json) std::putchar('\n');
    cli::check_output(stdout);  // a full disk or a closed pipe ends the watch
}

int watch(const PortsOptions& options) {
    using Clock = std::chrono::steady_clock;
    const ports::WatchSignals signals;  // first: a Ctrl-C while the pool starts ends it too
    ports::PortScanner scanner(options.netstat ? 0 : options.workers);
    const bool terminal = ports::stdout_is_terminal();
    const auto every =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.watch_s));
    for (;;) {
        const auto listeners = scan(options, scanner);
        const auto next = Clock::now() + every;
        const auto now = std::time(nullptr);
        char clock[16];
        std::strftime(clock, sizeof clock, "%H:%M:%S", std::localtime(&now));
        draw(options, listeners, clock, terminal);
        for (ports::WatchEvent event;
             (event = signals.wait_until(next)) != ports::WatchEvent::next_scan;) {
            if (event == ports::WatchEvent::stop) return 0;
            if (terminal) draw(options, listeners, clock, terminal);  // resized: fit it again
        }
    }
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
    const auto options = parse_arguments(argc, argv);
    if (options.benchmark) return benchmark(options);
    if (options.watch_s > 0) return watch(options);
    ports::PortScanner scanner(options.netstat ? 0 : options.workers);
    print_listeners(options, scan(options, scanner));
    return 0;
}
