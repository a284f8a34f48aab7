// A TCP connection made the way every fd here is: SOCK_CLOEXEC from the start, bounded wait.
#pragma once

#include <chrono>
#include <string>

#include "unique_fd.hpp"

namespace forkline::redis {

// A connected, blocking, TCP_NODELAY socket to host:port (every address getaddrinfo gives,
// in turn). Throws std::runtime_error naming host:port (or the host) and the reason.
UniqueFd tcp_connect(const std::string& host, unsigned port, std::chrono::milliseconds timeout);

}  // namespace forkline::redis
