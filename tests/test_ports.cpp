// forkline ports: the /proc/net and netstat/ss parsers, and end to end on sockets the test
// binds itself.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "listening_sockets.hpp"
#include "netstat.hpp"
#include "other_user.hpp"
#include "port_report.hpp"
#include "process_info.hpp"
#include "run_command.hpp"
#include "spawned.hpp"
#include "unique_fd.hpp"
#include "write_errors.hpp"

using test_support::run_command;

namespace {

// A socket bound to port 0 of loopback (the kernel picks a free port); TCP ones listen.
struct BoundSocket {
    forkline::UniqueFd fd;
    std::uint16_t port = 0;

    BoundSocket(int family, int type) : fd(::socket(family, type | SOCK_CLOEXEC, 0)) {
        REQUIRE(fd.valid());
        sockaddr_storage address{};
        socklen_t size = 0;
        if (family == AF_INET) {
            auto& v4 = reinterpret_cast<sockaddr_in&>(address);
            v4.sin_family = AF_INET;
            v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            size = sizeof v4;
        } else {
            auto& v6 = reinterpret_cast<sockaddr_in6&>(address);
            v6.sin6_family = AF_INET6;
            v6.sin6_addr = in6addr_loopback;
            size = sizeof v6;
        }
        REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), size) == 0);
        if (type == SOCK_STREAM) REQUIRE(::listen(fd.get(), 4) == 0);
        REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &size) == 0);
        port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in&>(address).sin_port
                                       : reinterpret_cast<sockaddr_in6&>(address).sin6_port);
    }
};

nlohmann::json ports_json(std::vector<std::string> args) {
    args.insert(args.begin(), {FORKLINE_PATH, "ports", "--json"});
    const auto result = run_command(args);
    INFO(result.err);
    REQUIRE(result.code == 0);
    return nlohmann::json::parse(result.out);
}

// The listener on `port` of `protocol` in a --json report, or null.
nlohmann::json find_listener(const nlohmann::json& report, const std::string& protocol,
                             std::uint16_t port) {
    for (const auto& listener : report.at("listeners")) {
        if (listener.at("protocol") == protocol && listener.at("port") == port) return listener;
    }
    return nullptr;
}

std::set<int> pids_of(const nlohmann::json& listener) {
    std::set<int> pids;
    for (const auto& process : listener.at("processes")) pids.insert(process.at("pid").get<int>());
    return pids;
}

std::vector<std::string> range(std::uint16_t first, std::uint16_t last) {
    return {"--start-port", std::to_string(first), "--end-port", std::to_string(last)};
}

}  // namespace

TEST_CASE("parse_socket_table: listening TCP, unconnected UDP, both families, port range") {
    const std::string tcp =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
        "timeout inode\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 "
        "       0 4242 1 0000000000000000 100 0 0 10 0\n"
        "   1: 0100007F:1F91 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0 "
        "       0 4243 1 0000000000000000 20 4 30 10 -1\n";
    const auto sockets =
        ports::parse_socket_table(tcp, ports::Protocol::tcp, ports::Family::ipv4, {});
    REQUIRE(sockets.size() == 1);  // the ESTABLISHED one is not listening
    CHECK(sockets[0].address == "127.0.0.1");
    CHECK(sockets[0].port == 8080);
    CHECK(sockets[0].inode == 4242);
    CHECK(sockets[0].uid == 1000);
    CHECK(ports::parse_socket_table(tcp, ports::Protocol::tcp, ports::Family::ipv4,
                                    {.first_port = 8081, .last_port = 9000})
              .empty());

    const std::string udp6 =
        "  sl  local_address                         remote_address                        st "
        "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
        "  10: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 "
        "00000000:00000000 00:00000000 00000000   101        0 777 2 0000000000000000 0\n";
    const auto udp = ports::parse_socket_table(udp6, ports::Protocol::udp, ports::Family::ipv6, {});
    REQUIRE(udp.size() == 1);
    CHECK(udp[0].address == "::1");
    CHECK(udp[0].port == 53);

    CHECK_THROWS_AS(ports::parse_socket_table("header\n  0: garbage\n", ports::Protocol::tcp,
                                              ports::Family::ipv4, {}),
                    std::runtime_error);
}

TEST_CASE("parse_netstat_output and parse_ss_output") {
    const std::string netstat =
        "Active Internet connections (only servers)\n"
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State       "
        "PID/Program name    \n"
        "tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      "
        "123/sshd: /usr/sbin \n"
        "tcp6       0      0 :::80                   :::*                    LISTEN      -   "
        "                \n"
        "udp        0      0 127.0.0.1:53            0.0.0.0:*                           "
        "456/dnsmasq         \n"
        // -W: a long address shifts the columns; a program name with a space; UDP, unknown.
        "tcp6       0      0 ::ffff:127.100.100.100:45461 :::*                    LISTEN      "
        "789/Web Content     \n"
        "udp6       0      0 :::5353                 :::*                                -   "
        "                \n"
        "udp6       0      0 127.0.0.1:45462         :::*                                7/x\n";
    const auto from_netstat = ports::parse_netstat_output(netstat, {});
    REQUIRE(from_netstat.size() == 6);
    CHECK(from_netstat[0].socket.port == 22);
    REQUIRE(from_netstat[0].processes.size() == 1);
    CHECK(from_netstat[0].processes[0].pid == 123);
    CHECK(from_netstat[0].processes[0].name == "sshd");
    CHECK(from_netstat[1].socket.family == ports::Family::ipv6);
    CHECK(from_netstat[1].socket.address == "::");
    CHECK(from_netstat[1].processes.empty());
    CHECK(from_netstat[2].socket.address == "::ffff:127.100.100.100");
    CHECK(from_netstat[2].socket.port == 45461);
    CHECK(from_netstat[2].processes.at(0).pid == 789);
    CHECK(from_netstat[2].processes.at(0).name == "Web Content");
    CHECK(from_netstat[3].socket.protocol == ports::Protocol::udp);
    CHECK(from_netstat[3].processes.at(0).pid == 456);
    CHECK(from_netstat[3].processes.at(0).name == "dnsmasq");
    CHECK(from_netstat[4].socket.port == 5353);
    CHECK(from_netstat[4].socket.protocol == ports::Protocol::udp);
    CHECK(from_netstat[4].processes.empty());
    CHECK(from_netstat[5].socket.address == "::ffff:127.0.0.1");  // IPv4-mapped, as in /proc
    CHECK(from_netstat[5].socket.family == ports::Family::ipv6);
    CHECK_THROWS_AS(ports::parse_netstat_output("tcp 0 0 0.0.0.0:22 0.0.0.0:* LISTEN sshd\n", {}),
                    std::runtime_error);

    const std::string ss =
        "Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n"
        "udp   UNCONN 0      0      127.0.0.53%lo:53         0.0.0.0:*    "
        "users:((\"systemd-resolve\",pid=99,fd=12))\n"
        "tcp   LISTEN 0      128          [::1]:631             [::]:*    "
        "users:((\"cupsd\",pid=7,fd=7),(\"cupsd\",pid=8,fd=7))\n"
        "tcp   LISTEN 0      4096               *:9000               *:*\n";
    const auto from_ss = ports::parse_ss_output(ss, {.udp = false});
    REQUIRE(from_ss.size() == 2);
    CHECK(from_ss[0].socket.address == "::1");
    CHECK(from_ss[0].socket.port == 631);
    REQUIRE(from_ss[0].processes.size() == 2);
    CHECK(from_ss[0].processes[1].pid == 8);
    CHECK(from_ss[0].processes[1].name == "cupsd");
    CHECK(from_ss[1].socket.port == 9000);
    CHECK(from_ss[1].socket.family == ports::Family::ipv6);  // a dual-stack IPv6 socket
    CHECK(from_ss[1].socket.address == "::");
}

TEST_CASE("the table shows control characters of names and command lines as '?'") {
    ports::ProcessInfo process;
    process.pid = 42;
    process.name = "x\ty";
    process.command_line = "evil \033[2J\nrow";
    std::vector<ports::Listener> listeners(1);
    listeners[0].socket = {ports::Protocol::tcp, ports::Family::ipv4, "127.0.0.1", 80, 1, 0};
    listeners[0].processes.push_back(process);
    char* text = nullptr;
    std::size_t size = 0;
    std::FILE* out = ::open_memstream(&text, &size);
    REQUIRE(out != nullptr);
    ports::print_table(out, listeners);
    std::fclose(out);
    const std::string table(text, size);
    std::free(text);
    CHECK(table.find("evil ?[2J?row\n") != std::string::npos);
    CHECK(table.find(" x?y ") != std::string::npos);
    CHECK(std::count(table.begin(), table.end(), '\n') == 2);  // the header and one row
}

TEST_CASE("process details of this process; a process that is gone is left out") {
    const auto fds = ports::scan_fds(::getpid());
    REQUIRE(fds);
    CHECK(fds->count >= 3);
    const auto info = ports::read_process_info(::getpid(), fds->count);
    REQUIRE(info);
    CHECK(info->name == "test_ports");
    CHECK(info->command_line.find("test_ports") != std::string::npos);
    CHECK(info->threads.value_or(0) >= 1);
    CHECK(info->rss_bytes.value_or(0) > 0);
    CHECK(info->start_time.value_or(0) > 1700000000);
    CHECK(info->user == (::geteuid() == 0 ? "root" : info->user));

    const auto child = test_support::start_command({"true"});
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK_FALSE(ports::scan_fds(child));
    CHECK_FALSE(ports::read_process_info(child, std::nullopt));
}

TEST_CASE("forkline ports finds the test's own TCP and UDP sockets, v4 and v6, with its pid") {
    const BoundSocket tcp4(AF_INET, SOCK_STREAM), tcp6(AF_INET6, SOCK_STREAM);
    const BoundSocket udp4(AF_INET, SOCK_DGRAM), udp6(AF_INET6, SOCK_DGRAM);
    const std::set<int> me = {::getpid()};
    for (const auto* mode : {"--parallel", "--sequential"}) {
        CAPTURE(mode);
        const auto report = ports_json({mode});
        struct Expected {
            const char* protocol;
            const BoundSocket& socket;
            const char* address;
        };
        for (const auto& expected :
             {Expected{"tcp", tcp4, "127.0.0.1"}, Expected{"tcp", tcp6, "::1"},
              Expected{"udp", udp4, "127.0.0.1"}, Expected{"udp", udp6, "::1"}}) {
            const auto port = expected.socket.port;
            CAPTURE(port);
            const auto listener = find_listener(report, expected.protocol, port);
            REQUIRE(listener.is_object());
            CHECK(listener.at("address") == expected.address);
            CHECK(pids_of(listener) == me);
            const auto& process = listener.at("processes").at(0);
            CHECK(process.at("name") == "test_ports");
            CHECK(process.at("open_fds").get<int>() >= 7);
        }
    }
}

TEST_CASE("forkline ports: port range and protocol filters") {
    const BoundSocket first(AF_INET, SOCK_STREAM), second(AF_INET, SOCK_STREAM);
    const BoundSocket udp(AF_INET, SOCK_DGRAM);
    const auto only_first = ports_json(range(first.port, first.port));
    CHECK(only_first.at("listeners").size() == 1);
    CHECK(find_listener(only_first, "tcp", first.port).is_object());
    CHECK(find_listener(only_first, "tcp", second.port).is_null());

    const auto tcp_only = ports_json({"--tcp"});
    CHECK(find_listener(tcp_only, "udp", udp.port).is_null());
    CHECK(find_listener(tcp_only, "tcp", second.port).is_object());
    const auto udp_only = ports_json({"--udp"});
    CHECK(find_listener(udp_only, "udp", udp.port).is_object());
    CHECK(find_listener(udp_only, "tcp", second.port).is_null());

    const auto table =
        run_command({FORKLINE_PATH, "ports", "-j", "1", "--start-port", std::to_string(second.port),
                     "--end-port", std::to_string(second.port)});
    CHECK(table.code == 0);
    const auto column = [](auto number) {  // a table cell: the number between spaces
        std::string cell(" ");
        cell += std::to_string(number);
        cell += ' ';
        return cell;
    };
    CHECK(table.out.find(column(second.port)) != std::string::npos);
    CHECK(table.out.find(column(::getpid())) != std::string::npos);
}

TEST_CASE("forkline ports as another user: the process shows as '-', never a crash") {
    if (::geteuid() != 0) {
        MESSAGE("needs root to run forkline as another user (CI runs as root)");
        return;
    }
    const BoundSocket tcp(AF_INET, SOCK_STREAM);
    // A copy nobody can reach, with its worker: the build tree may be in root's 0700 home.
    const test_support::ReachableTools copy(FORKLINE_PATH, {"ports_worker"});
    auto as_nobody = test_support::kAsNobody;
    as_nobody.insert(as_nobody.end(), {copy.tool(), "ports"});
    auto json = as_nobody;
    json.push_back("--json");
    const auto result = run_command(json);
    INFO(result.err);
    REQUIRE(result.code == 0);
    const auto listener = find_listener(nlohmann::json::parse(result.out), "tcp", tcp.port);
    REQUIRE(listener.is_object());
    CHECK(listener.at("processes").empty());
    CHECK(listener.at("user") == "root");
    const auto table = run_command(as_nobody);
    CHECK(table.code == 0);
}

TEST_CASE("forkline ports --netstat, and when neither netstat nor ss exists") {
    const BoundSocket tcp(AF_INET, SOCK_STREAM), tcp6(AF_INET6, SOCK_STREAM);
    const BoundSocket udp(AF_INET, SOCK_DGRAM), udp6(AF_INET6, SOCK_DGRAM);
    const auto report = ports_json({"--netstat"});
    const auto listener = find_listener(report, "tcp", tcp.port);
    REQUIRE(listener.is_object());
    CHECK(pids_of(listener) == std::set<int>{::getpid()});
    // The same sockets as the /proc listing sees them: family, address, owner.
    const auto from_proc = ports_json({});
    for (const auto& socket : {std::pair{"tcp", tcp.port}, std::pair{"tcp", tcp6.port},
                               std::pair{"udp", udp.port}, std::pair{"udp", udp6.port}}) {
        const std::string protocol = socket.first;
        const std::uint16_t port = socket.second;
        CAPTURE(port);
        const auto ours = find_listener(from_proc, protocol, port);
        const auto theirs = find_listener(report, protocol, port);
        REQUIRE(theirs.is_object());
        CHECK(theirs.at("family") == ours.at("family"));
        CHECK(theirs.at("address") == ours.at("address"));
        CHECK(pids_of(theirs) == pids_of(ours));
    }

    const auto missing =
        run_command({"env", "PATH=/nonexistent", FORKLINE_PATH, "ports", "--netstat"});
    CHECK(missing.code == 1);
    CHECK(missing.err.find("neither is in PATH") != std::string::npos);
}

TEST_CASE("forkline ports --watch: one JSON line per scan until SIGINT, exit 0") {
    const BoundSocket tcp(AF_INET, SOCK_STREAM);
    const auto result = run_command({"timeout", "--preserve-status", "-s", "INT", "3",
                                     FORKLINE_PATH, "ports", "--watch", "0.2", "--json"});
    CHECK(result.code == 0);
    const auto lines = test_support::lines_of(result.out);
    CHECK(lines.size() >= 2);
    for (const auto& line : lines)
        CHECK(find_listener(nlohmann::json::parse(line), "tcp", tcp.port).is_object());
}

TEST_CASE("forkline ports --benchmark and bad usage") {
    const auto bench = run_command({FORKLINE_PATH, "ports", "--benchmark", "--json", "-j", "2"});
    REQUIRE(bench.code == 0);
    const auto figures = nlohmann::json::parse(bench.out);
    CHECK(figures.at("workers") == 2);
    CHECK(figures.at("sequential_s").get<double>() > 0);
    CHECK(figures.at("parallel_s").get<double>() > 0);

    for (const auto& args :
         std::vector<std::vector<std::string>>{{"--start-port", "0"},
                                               {"--start-port", "10", "--end-port", "5"},
                                               {"--end-port", "70000"},
                                               {"-j", "x"},
                                               {"--watch", "-1"},
                                               {"--timeout", "5"},
                                               {"--bogus"}}) {
        auto argv = args;
        argv.insert(argv.begin(), {FORKLINE_PATH, "ports"});
        const auto result = run_command(argv);
        CHECK(result.code == 2);
        CHECK(result.err.starts_with("forkline ports: error: "));
    }
    const auto help = run_command({FORKLINE_PATH, "ports", "--help"});
    CHECK(help.code == 0);
    CHECK(help.out.starts_with("usage: forkline ports"));
}

TEST_CASE("forkline ports: a failed write is one line and exit 1, and ends a watch") {
    // timeout: a watch that runs on is killed (exit 137), not waited for.
    std::vector<std::vector<std::string>> command_lines;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--sequential"}, {"--json"}, {"--watch", "0.05"}, {"--watch", "0.05", "--json"}}) {
        command_lines.push_back({"timeout", "-s", "KILL", "60", FORKLINE_PATH, "ports"});
        command_lines.back().insert(command_lines.back().end(), args.begin(), args.end());
    }
    test_support::check_write_errors("forkline ports", command_lines);
    // A closed pipe ends the watch quietly, by SIGPIPE.
    const auto piped = run_command({"/bin/bash", "-c",
                                    "timeout -s KILL 60 \"$0\" ports --watch 0.05 | head -1; "
                                    "echo \"${PIPESTATUS[0]}\" >&2",
                                    FORKLINE_PATH});
    CHECK(piped.out.starts_with("forkline ports at "));
    CHECK(piped.err == "141\n");
}

namespace {

// A pseudo-terminal for a child's standard output, of a size the test sets.
class Terminal {
  public:
    Terminal() : master_(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) {
        REQUIRE(master_.valid());
        REQUIRE(::grantpt(master_.get()) == 0);
        REQUIRE(::unlockpt(master_.get()) == 0);
        slave_ =
            forkline::UniqueFd(::open(::ptsname(master_.get()), O_RDWR | O_NOCTTY | O_CLOEXEC));
        REQUIRE(slave_.valid());
    }

    void resize(unsigned short columns) {
        const winsize size{40, columns, 0, 0};
        REQUIRE(::ioctl(master_.get(), TIOCSWINSZ, &size) == 0);
    }

    // Starts argv with stdout and stderr on the terminal.
    std::unique_ptr<test_support::Spawned> start(const std::vector<std::string>& argv) {
        auto child = std::make_unique<test_support::Spawned>(argv, slave_.get(), slave_.get());
        slave_ = forkline::UniqueFd();  // the child's now: EOF when it exits
        return child;
    }

    // Reads until `lines` lines have come after the next screen clear; returns them (no
    // "\r"), or fewer if 60 s pass or the child exits.
    std::vector<std::string> next_screen(std::size_t lines) {
        for (;;) {
            const auto clear = pending_.find("\033[H\033[2J");
            if (clear != std::string::npos) {
                const auto screen = test_support::lines_of(pending_.substr(clear + 7));
                const auto complete =
                    std::count(pending_.begin() + long(clear), pending_.end(), '\n');
                if (std::size_t(complete) >= lines) {
                    pending_.erase(0, clear + 7);
                    pending_.erase(0, nth_line_end(pending_, lines));
                    std::vector<std::string> out(screen.begin(), screen.begin() + long(lines));
                    for (auto& line : out) std::erase(line, '\r');
                    return out;
                }
            }
            pollfd readable{master_.get(), POLLIN, 0};
            if (::poll(&readable, 1, 60'000) != 1) return {};
            char buffer[4096];
            const auto n = ::read(master_.get(), buffer, sizeof buffer);
            if (n <= 0) return {};
            pending_.append(buffer, std::size_t(n));
        }
    }

  private:
    static std::size_t nth_line_end(const std::string& text, std::size_t n) {
        std::size_t at = 0;
        for (std::size_t i = 0; i < n; ++i) at = text.find('\n', at) + 1;
        return at;
    }

    forkline::UniqueFd master_;
    forkline::UniqueFd slave_;
    std::string pending_;
};

// Characters of a UTF-8 line.
std::size_t characters(const std::string& line) {
    return std::size_t(std::count_if(line.begin(), line.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

}  // namespace

TEST_CASE("forkline ports --watch on a terminal: lines cut to its width, redrawn when resized") {
    const BoundSocket tcp(AF_INET, SOCK_STREAM);
    Terminal terminal;
    terminal.resize(60);
    const auto port = std::to_string(tcp.port);
    // One socket, so a screen is 4 lines: title, blank, header, its row (longer than 60:
    // the command line of this test is in it).
    const auto watch = terminal.start({FORKLINE_PATH, "ports", "--tcp", "--start-port", port,
                                       "--end-port", port, "--watch", "1000"});
    for (const unsigned short width : {60, 30}) {
        CAPTURE(width);
        if (width != 60) {
            terminal.resize(width);
            ::kill(watch->pid(), SIGWINCH);  // the kernel sends it to the foreground group
        }
        const auto screen = terminal.next_screen(4);
        REQUIRE(screen.size() == 4);
        CHECK(screen[0].starts_with("forkline ports at "));
        CHECK(characters(screen[3]) == width);  // cut there
        CHECK(screen[3].starts_with("tcp "));
        for (const auto& line : screen) CHECK(characters(line) <= width);
    }
    const int status = watch->stop(SIGINT);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    // Not a terminal: nothing cut.
    const auto piped =
        run_command({FORKLINE_PATH, "ports", "--tcp", "--start-port", port, "--end-port", port});
    CHECK(characters(test_support::lines_of(piped.out).at(1)) > 60);
}

TEST_CASE("forkline ports: -j/--workers, --version, contradictions are errors") {
    for (const auto& args : std::vector<std::vector<std::string>>{{"--sequential", "--parallel"},
                                                                  {"--parallel", "--sequential"},
                                                                  {"--sequential", "-j", "2"},
                                                                  {"--netstat", "-j", "2"},
                                                                  {"--netstat", "--sequential"},
                                                                  {"-j", "4097"},
                                                                  {"--workers=0"},
                                                                  {"stray"}}) {
        auto argv = args;
        argv.insert(argv.begin(), {FORKLINE_PATH, "ports"});
        const auto r = run_command(argv);
        CAPTURE(args.front());
        CHECK(r.code == 2);
        CHECK(r.err.starts_with("forkline ports: error: "));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    const BoundSocket tcp(AF_INET, SOCK_STREAM);
    const auto report = ports_json({"--workers=2", "--tcp"});
    CHECK(find_listener(report, "tcp", tcp.port).is_object());
    const auto version = run_command({FORKLINE_PATH, "ports", "--version"});
    CHECK(version.code == 0);
    CHECK(version.out.starts_with("forkline ports (forkline) "));
}
