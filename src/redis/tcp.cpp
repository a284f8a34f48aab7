#include "tcp.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>
#include <system_error>

#include "os_error.hpp"

namespace forkline::redis {

namespace {

// One address: non-blocking connect so the wait is bounded, then back to blocking.
UniqueFd connect_one(const addrinfo& ai, std::chrono::milliseconds timeout) {
    UniqueFd fd(
        ::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai.ai_protocol));
    if (!fd.valid()) return fd;
    if (::connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
        if (errno != EINPROGRESS) return UniqueFd();
        pollfd p{fd.get(), POLLOUT, 0};
        int ready = 0;
        do {
            ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
        } while (ready < 0 && errno == EINTR);
        if (ready == 0) errno = ETIMEDOUT;
        if (ready <= 0) return UniqueFd();
        int error = 0;
        socklen_t len = sizeof error;
        if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
            errno = error != 0 ? error : errno;
            return UniqueFd();
        }
    }
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) < 0) return UniqueFd();
    const int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // pipelined requests
    return fd;
}

}  // namespace

UniqueFd tcp_connect(const std::string& host, unsigned port, std::chrono::milliseconds timeout) {
    const std::string where = host + ":" + std::to_string(port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int error = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
        error != 0) {
        throw Error("cannot resolve " + host + ": " + ::gai_strerror(error));
    }
    const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
    int error = EHOSTUNREACH;
    for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
        if (auto fd = connect_one(*ai, timeout); fd.valid()) return fd;
        error = errno;
    }
    throw_os_error("cannot connect to " + where, error);
}

}  // namespace forkline::redis
