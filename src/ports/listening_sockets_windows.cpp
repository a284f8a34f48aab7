// The socket tables from iphlpapi (Windows): GetExtendedTcpTable with the listeners only,
// GetExtendedUdpTable with every bound UDP socket, each row with its owning pid.
#include <winsock2.h>
#include <ws2tcpip.h>
// winsock2.h before windows.h, which iphlpapi.h includes.
#include <iphlpapi.h>

#include <forkline/error.hpp>
#include <string>
#include <vector>

#include "listening_sockets.hpp"
#include "windows_error.hpp"

namespace ports {

namespace {

// Fills `buffer` with one family's table through GetExtendedTcpTable or GetExtendedUdpTable
// (the same signature but for the class); when it is too small, grows it to the size the
// call asks for and returns ERROR_INSUFFICIENT_BUFFER.
template <auto kCall, auto kClass>
DWORD fill_table(std::vector<char>& buffer, ULONG family) {
    auto size = static_cast<DWORD>(buffer.size());
    const auto result = kCall(buffer.data(), &size, FALSE, family, kClass, 0);
    if (result == ERROR_INSUFFICIENT_BUFFER) buffer.resize(size);
    return result;
}

constexpr auto tcp_listeners = fill_table<::GetExtendedTcpTable, TCP_TABLE_OWNER_PID_LISTENER>;
constexpr auto udp_sockets = fill_table<::GetExtendedUdpTable, UDP_TABLE_OWNER_PID>;

// The whole table; empty when the family is not installed (no IPv6). The table may grow
// between the call that sizes the buffer and the one that fills it: ask again then.
std::vector<char> read_table(DWORD (*call)(std::vector<char>&, ULONG), ULONG family,
                             const char* name) {
    std::vector<char> buffer(16 * 1024);
    for (;;) {
        const auto result = call(buffer, family);
        if (result == NO_ERROR) return buffer;
        if (result == ERROR_INSUFFICIENT_BUFFER) continue;
        if (result == ERROR_NOT_SUPPORTED) return {};
        throw forkline::Error(std::string("cannot read the ") + name +
                              " table: " + forkline::windows_error_text(result));
    }
}

std::string address_text(ULONG family, const void* address) {
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(static_cast<int>(family), const_cast<void*>(address), text, sizeof text);
    return text;
}

// Ports sit in the low 16 bits of a DWORD, in network order.
std::uint16_t port_of(DWORD port) {
    return ::ntohs(static_cast<u_short>(port & 0xFFFF));
}

// Pid 0 is the idle process, never a socket's owner: it is what a table says when it does
// not know (wine 8.0 says it for every socket).
std::int64_t owner_of(DWORD pid) {
    return pid == 0 ? -1 : static_cast<std::int64_t>(pid);
}

// Adds each row of one table (MIB_TCPTABLE_OWNER_PID, MIB_TCP6TABLE_OWNER_PID, …): they all
// start with dwNumEntries, then the rows.
template <typename Table>
void add_rows(const std::vector<char>& buffer, Protocol protocol, Family family,
              const SocketFilter& filter, std::vector<Socket>& sockets) {
    if (buffer.empty()) return;
    const auto& table = *reinterpret_cast<const Table*>(buffer.data());
    const ULONG address_family = family == Family::ipv4 ? AF_INET : AF_INET6;
    for (DWORD i = 0; i < table.dwNumEntries; ++i) {
        const auto& row = table.table[i];
        const auto port = port_of(row.dwLocalPort);
        if (port == 0 || !filter.accepts(protocol, port)) continue;
        const void* address = nullptr;
        if constexpr (requires { row.ucLocalAddr; })
            address = row.ucLocalAddr;
        else
            address = &row.dwLocalAddr;
        sockets.push_back({.protocol = protocol,
                           .family = family,
                           .address = address_text(address_family, address),
                           .port = port,
                           .inode = 0,
                           .owner_pid = owner_of(row.dwOwningPid)});
    }
}

}  // namespace

bool socket_tables_name_owners() {
    return true;
}

std::vector<Socket> read_listening_sockets(const SocketFilter& filter) {
    std::vector<Socket> sockets;
    if (filter.tcp) {
        add_rows<MIB_TCPTABLE_OWNER_PID>(read_table(tcp_listeners, AF_INET, "TCP"), Protocol::tcp,
                                         Family::ipv4, filter, sockets);
        add_rows<MIB_TCP6TABLE_OWNER_PID>(read_table(tcp_listeners, AF_INET6, "TCP IPv6"),
                                          Protocol::tcp, Family::ipv6, filter, sockets);
    }
    if (filter.udp) {
        add_rows<MIB_UDPTABLE_OWNER_PID>(read_table(udp_sockets, AF_INET, "UDP"), Protocol::udp,
                                         Family::ipv4, filter, sockets);
        add_rows<MIB_UDP6TABLE_OWNER_PID>(read_table(udp_sockets, AF_INET6, "UDP IPv6"),
                                          Protocol::udp, Family::ipv6, filter, sockets);
    }
    return sockets;
}

}  // namespace ports
