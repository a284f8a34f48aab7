// forkline ports on Windows: iphlpapi's tables list sockets the test opens itself, and the
// process details come from OpenProcess. Wine 8.0 lists the sockets but names no owner
// (pid 0 in every row): the owner check says so and is skipped there, never on Windows.
#include <winsock2.h>
// winsock2.h before windows.h.
#include <windows.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "listening_sockets.hpp"
#include "loopback_socket_windows.hpp"
#include "owner_query.hpp"
#include "process_info.hpp"

namespace {

using test_support::LoopbackSocket;
using test_support::Winsock;

const pid_t kMe = static_cast<pid_t>(::GetCurrentProcessId());

}  // namespace

TEST_CASE("the tables list the test's own TCP and UDP sockets on loopback, v4 and v6") {
    const Winsock winsock;
    const LoopbackSocket tcp4(AF_INET, SOCK_STREAM), tcp6(AF_INET6, SOCK_STREAM);
    const LoopbackSocket udp4(AF_INET, SOCK_DGRAM), udp6(AF_INET6, SOCK_DGRAM);
    struct Expected {
        ports::Protocol protocol;
        ports::Family family;
        const LoopbackSocket& socket;
        const char* address;
    };
    for (const auto& expected :
         {Expected{ports::Protocol::tcp, ports::Family::ipv4, tcp4, "127.0.0.1"},
          Expected{ports::Protocol::tcp, ports::Family::ipv6, tcp6, "::1"},
          Expected{ports::Protocol::udp, ports::Family::ipv4, udp4, "127.0.0.1"},
          Expected{ports::Protocol::udp, ports::Family::ipv6, udp6, "::1"}}) {
        const std::string protocol = ports::to_string(expected.protocol);
        const std::string family = ports::to_string(expected.family);
        CAPTURE(protocol);
        CAPTURE(family);
        const auto port = expected.socket.port;
        const auto sockets = ports::read_listening_sockets({.first_port = port, .last_port = port});
        const auto found = std::find_if(sockets.begin(), sockets.end(), [&](const auto& socket) {
            return socket.protocol == expected.protocol && socket.family == expected.family;
        });
        REQUIRE(found != sockets.end());
        CHECK(found->address == expected.address);
        CHECK(found->inode == 0);
        if (found->owner_pid < 0 && test_support::under_wine()) {
            MESSAGE("skipped under wine: its iphlpapi gives pid 0 (no owner) for every socket");
            continue;
        }
        CHECK(found->owner_pid == kMe);
    }
}

TEST_CASE("the protocol filter and the port range leave the other sockets out") {
    const Winsock winsock;
    const LoopbackSocket tcp(AF_INET, SOCK_STREAM), udp(AF_INET, SOCK_DGRAM);
    const auto only = [](const ports::SocketFilter& filter, const LoopbackSocket& socket) {
        const auto sockets = ports::read_listening_sockets(filter);
        return std::count_if(sockets.begin(), sockets.end(),
                             [&](const auto& s) { return s.port == socket.port; });
    };
    CHECK(only({.udp = false, .first_port = tcp.port, .last_port = tcp.port}, tcp) == 1);
    CHECK(only({.tcp = false, .first_port = tcp.port, .last_port = tcp.port}, tcp) == 0);
    CHECK(only({.tcp = false, .first_port = udp.port, .last_port = udp.port}, udp) == 1);
    const auto above = static_cast<std::uint16_t>(std::max(tcp.port, udp.port) + 1);
    CHECK(only({.first_port = above, .last_port = 65535}, tcp) == 0);
    CHECK(ports::socket_tables_name_owners());
}

TEST_CASE("process details of this process; a pid no process has is left out") {
    const auto info = ports::read_process_info(kMe, 7);
    REQUIRE(info);
    CHECK(info->pid == kMe);
    CHECK(info->name == "test_ports_windows.exe");
    CHECK(info->command_line.find("test_ports_windows") != std::string::npos);
    CHECK(info->user.value_or("").size() > 0);
    CHECK(info->rss_bytes.value_or(0) > 0);
    CHECK(info->start_time.value_or(0) > 1700000000);
    CHECK(info->open_fds == 7u);

    const auto pids = ports::list_pids();
    CHECK(std::count(pids.begin(), pids.end(), kMe) == 1);
    // Windows pids are multiples of 4: the largest one below 2^31 no process has.
    pid_t unused = 0x7FFFFFFC;
    while (std::count(pids.begin(), pids.end(), unused) != 0) unused -= 4;
    CHECK_FALSE(ports::read_process_info(unused, std::nullopt));
}

TEST_CASE("owners named by the table: their details, without any fd scan") {
    const auto owners = ports::find_owners({.inodes = {}, .pids = {}, .owners = {kMe}});
    REQUIRE(owners.size() == 1);
    CHECK(owners[0].process.pid == kMe);
    CHECK(owners[0].process.name == "test_ports_windows.exe");
    CHECK(owners[0].inodes.empty());
    const auto decoded = ports::decode_query(ports::encode_query({{}, {}, {kMe}}));
    CHECK(decoded.owners == std::vector<pid_t>{kMe});
}
