// The sockets a machine listens on: TCP sockets in state LISTEN and UDP sockets bound and
// unconnected (what `ss -tuln` lists). Linux reads /proc/net/{tcp,tcp6,udp,udp6}
// (listening_sockets_posix.cpp), Windows asks iphlpapi's GetExtendedTcpTable and
// GetExtendedUdpTable, which also name each socket's owning process
// (listening_sockets_windows.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ports {

enum class Protocol { tcp, udp };
enum class Family { ipv4, ipv6 };

const char* to_string(Protocol protocol);
const char* to_string(Family family);

struct Socket {
    Protocol protocol;
    Family family;
    std::string address;  // numeric, as inet_ntop writes it
    std::uint16_t port;
    std::uint64_t inode;    // 0 when unknown (--netstat mode, Windows)
    std::int64_t uid = -1;  // owner of the socket; -1 when unknown (always on Windows)
    // The process holding it, where the OS table names it (Windows); -1 when the owners are
    // found through the inode (Linux) or the table does not know (wine says 0: unknown too).
    std::int64_t owner_pid = -1;
};

struct SocketFilter {
    bool tcp = true;
    bool udp = true;
    std::uint16_t first_port = 0;
    std::uint16_t last_port = 65535;

    bool accepts(Protocol protocol, std::uint16_t port) const;
};

// Linux only: parses one /proc/net table's text (the header line first). Throws std::runtime_error
// on a line that does not have the kernel's format.
std::vector<Socket> parse_socket_table(std::string_view text, Protocol protocol, Family family,
                                       const SocketFilter& filter);

// Reads the four tables (TCP and UDP, IPv4 and IPv6). A table that does not exist (IPv6
// disabled) contributes nothing; any other read error throws.
std::vector<Socket> read_listening_sockets(const SocketFilter& filter);

// True where the tables name each socket's owner (Windows): no process's descriptors need
// to be read to find it, so there is nothing to spread over pool workers.
bool socket_tables_name_owners();

}  // namespace ports
