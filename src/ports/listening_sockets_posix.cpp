// The socket tables from /proc/net (Linux).
#include "listening_sockets.hpp"

#include <arpa/inet.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include "os_error.hpp"

#include "proc_files.hpp"
#include "text_fields.hpp"

namespace ports {

namespace {

// The kernel's st column: TCP_LISTEN for TCP, TCP_CLOSE (an unconnected UDP socket) for UDP.
constexpr std::string_view kTcpListen = "0A";
constexpr std::string_view kUdpUnconnected = "07";

[[noreturn]] void bad_line(std::string_view line) {
    throw std::runtime_error("unexpected socket table line: " + std::string(line));
}

template <typename T>
T parse_field(std::string_view text, int base, std::string_view line) {
    const auto value = parse_number<T>(text, base);
    if (!value) bad_line(line);
    return *value;
}

// The kernel prints each 32-bit word of the address as it lies in memory, in hex: parsing a
// word as a host-order integer gives back its bytes.
std::string format_address(std::string_view hex, Family family, std::string_view line) {
    const std::size_t words = family == Family::ipv4 ? 1 : 4;
    if (hex.size() != words * 8) bad_line(line);
    std::array<std::uint32_t, 4> raw{};
    for (std::size_t w = 0; w < words; ++w)
        raw[w] = parse_field<std::uint32_t>(hex.substr(w * 8, 8), 16, line);
    std::array<char, INET6_ADDRSTRLEN> text{};
    ::inet_ntop(family == Family::ipv4 ? AF_INET : AF_INET6, raw.data(), text.data(), text.size());
    return text.data();
}

}  // namespace

std::vector<Socket> parse_socket_table(std::string_view text, Protocol protocol, Family family,
                                       const SocketFilter& filter) {
    std::vector<Socket> sockets;
    const auto wanted_state = protocol == Protocol::tcp ? kTcpListen : kUdpUnconnected;
    const auto lines = lines_of(text);
    for (std::size_t i = 1; i < lines.size(); ++i) {  // after the header
        const auto line = lines[i];
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
        const auto fields = words_of(line);
        if (fields.empty()) continue;
        if (fields.size() < 10) bad_line(line);
        if (fields[3] != wanted_state) continue;
        const auto colon = fields[1].find(':');
        if (colon == std::string_view::npos) bad_line(line);
        const auto port = parse_field<std::uint16_t>(fields[1].substr(colon + 1), 16, line);
        if (port == 0 || !filter.accepts(protocol, port)) continue;
        sockets.push_back({protocol, family,
                           format_address(fields[1].substr(0, colon), family, line), port,
                           parse_field<std::uint64_t>(fields[9], 10, line),
                           parse_field<std::int64_t>(fields[7], 10, line)});
    }
    return sockets;
}

bool socket_tables_name_owners() {
    return false;
}

std::vector<Socket> read_listening_sockets(const SocketFilter& filter) {
    struct Table {
        const char* path;
        Protocol protocol;
        Family family;
    };
    constexpr Table kTables[] = {
        {"/proc/net/tcp", Protocol::tcp, Family::ipv4},
        {"/proc/net/tcp6", Protocol::tcp, Family::ipv6},
        {"/proc/net/udp", Protocol::udp, Family::ipv4},
        {"/proc/net/udp6", Protocol::udp, Family::ipv6},
    };
    std::vector<Socket> sockets;
    for (const auto& table : kTables) {
        if (!filter.accepts(table.protocol, filter.first_port)) continue;
        int error = 0;
        const auto text = read_proc_file(table.path, error);
        if (!text) {
            if (error == ENOENT) continue;
            forkline::throw_os_error(std::string("cannot read ") + table.path, error);
        }
        auto parsed = parse_socket_table(*text, table.protocol, table.family, filter);
        sockets.insert(sockets.end(), parsed.begin(), parsed.end());
    }
    return sockets;
}

}  // namespace ports
