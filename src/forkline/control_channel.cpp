#include "control_channel.hpp"

#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "epoll_watch.hpp"
#include "os_error.hpp"

namespace forkline::control {

namespace {

// The random end of the name: nobody can bind it before us, having read the rest (the
// segment's name is in /dev/shm for a moment, the pid is public).
std::string random_hex() {
    std::uint64_t random = 0;
    if (::getrandom(&random, sizeof random, 0) != sizeof random)
        throw_os_error("cannot name the control channel: getrandom");
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(random));
    return hex;
}

UniqueFd listen_on(const std::string& name) {
    UniqueFd socket(check_os(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0),
                             "control channel: socket"));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path + 1, name.data(), name.size());  // abstract: leading NUL
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    check_os(::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), length),
             "control channel: bind");
    check_os(::listen(socket.get(), 16), "control channel: listen");
    return socket;
}

// Another user's process (root's excepted) gets nothing, not even the pool's state.
bool peer_allowed(int connection) {
    ucred peer{};
    socklen_t size = sizeof peer;
    if (::getsockopt(connection, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) return false;
    return peer.uid == ::geteuid() || peer.uid == 0;
}

}  // namespace

ControlChannel::ControlChannel(std::string_view segment_name)
    : name_(channel_prefix(segment_name) + random_hex()),
      listener_(listen_on(name_)),
      epoll_(check_os(::epoll_create1(EPOLL_CLOEXEC), "control channel: epoll_create1")) {
    watch_readable(epoll_.get(), listener_.get());
}

std::size_t ControlChannel::serve(const std::function<Reply(const Request&)>& answer) {
    accept_waiting();
    std::size_t answered = 0;
    for (std::size_t i = 0; i < waiting_.size();) {
        const int connection = waiting_[i].get();
        if (!answer_one(connection, answer)) {
            ++i;
            continue;
        }
        ++answered;
        forget(connection);
    }
    return answered;
}

void ControlChannel::accept_waiting() {
    for (;;) {
        UniqueFd connection(
            ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (!connection.valid()) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return;  // EAGAIN: none left (EMFILE…: the client times out, the pool goes on)
        }
        if (!peer_allowed(connection.get())) continue;  // closed: the client sees EOF
        if (waiting_.size() == kMaxWaiting) forget(waiting_.front().get());
        try {
            watch_readable(epoll_.get(), connection.get());
        } catch (const OsError&) {
            continue;  // ENOMEM: that client goes unanswered, the pool goes on
        }
        waiting_.push_back(std::move(connection));
    }
}

bool ControlChannel::answer_one(int connection,
                                const std::function<Reply(const Request&)>& answer) {
    char buffer[kMaxMessage + 1];
    const ssize_t n = ::recv(connection, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return false;
    if (n <= 0) return true;  // the client went away: nothing to answer
    const auto request = parse_request(std::string_view(buffer, static_cast<std::size_t>(n)));
    Reply reply;
    if (request) {
        reply = answer(*request);
    } else {
        reply = answer(Request{Request::Kind::status});
        reply.ok = false;
        reply.message = "not a request";
    }
    const auto text = format_reply(reply);
    // A fresh connection's buffer takes a short reply whole; a client that is gone gets
    // nothing (MSG_NOSIGNAL: no SIGPIPE).
    [[maybe_unused]] const auto sent =
        ::send(connection, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    return true;
}

void ControlChannel::forget(int connection) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, connection, nullptr);
    const auto found = std::find_if(waiting_.begin(), waiting_.end(),
                                    [&](const UniqueFd& fd) { return fd.get() == connection; });
    if (found != waiting_.end()) waiting_.erase(found);
}

}  // namespace forkline::control
