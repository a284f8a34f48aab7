// The sockets a machine listens on, read from /proc/net/{tcp,tcp6,udp,udp6}: TCP sockets in
// state LISTEN and UDP sockets bound and unconnected (what `ss -tuln` lists).
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
    std::uint64_t inode;    // 0 when unknown (--netstat mode)
    std::int64_t uid = -1;  // owner of the socket; -1 when unknown
};

struct SocketFilter {
    bool tcp = true;
    bool udp = true;
    std::uint16_t first_port = 0;
    std::uint16_t last_port = 65535;

    bool accepts(Protocol protocol, std::uint16_t port) const;
};

// Parses one table's text (the header line first). Throws std::runtime_error on a line
// that does not have the kernel's format.
std::vector<Socket> parse_socket_table(std::string_view text, Protocol protocol, Family family,
                                       const SocketFilter& filter);

// Reads the four tables. A table that does not exist (IPv6 disabled) contributes nothing;
// any other read error throws.
std::vector<Socket> read_listening_sockets(const SocketFilter& filter);

}  // namespace ports
