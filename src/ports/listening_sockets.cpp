#include "listening_sockets.hpp"

namespace ports {

const char* to_string(Protocol protocol) {
    return protocol == Protocol::tcp ? "tcp" : "udp";
}
const char* to_string(Family family) {
    return family == Family::ipv4 ? "ipv4" : "ipv6";
}

bool SocketFilter::accepts(Protocol protocol, std::uint16_t port) const {
    return (protocol == Protocol::tcp ? tcp : udp) && port >= first_port && port <= last_port;
}

}  // namespace ports
