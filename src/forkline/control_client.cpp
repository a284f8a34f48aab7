#include "control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <forkline/error.hpp>
#include <fstream>
#include <sstream>

#include "os_error.hpp"
#include "unique_fd.hpp"

namespace forkline::control {

namespace {

// The names of the abstract Unix sockets that start with `prefix` (each once: the
// accepted connections of a listening socket show its name too).
std::vector<std::string> abstract_sockets_named(const std::string& prefix) {
    std::ifstream table("/proc/net/unix");
    std::vector<std::string> names;
    std::string line;
    std::getline(table, line);  // the column titles
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string field, path;
        for (int i = 0; i < 7; ++i) fields >> field;  // Num RefCount Protocol Flags Type St Inode
        fields >> path;
        if (path.size() < 2 || path[0] != '@' || path.compare(1, prefix.size(), prefix) != 0)
            continue;
        path.erase(0, 1);
        if (std::find(names.begin(), names.end(), path) == names.end()) names.push_back(path);
    }
    return names;
}

pid_t parent_of(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("PPid:")) return static_cast<pid_t>(std::stol(line.substr(5)));
    }
    return 0;
}

std::vector<Channel> channels_of_supervisor(pid_t pid, std::string_view segment_name) {
    const auto prefix = segment_name.empty() ? channel_prefix(pid) : channel_prefix(segment_name);
    std::vector<Channel> channels;
    for (auto& name : abstract_sockets_named(prefix)) channels.push_back({pid, std::move(name)});
    return channels;
}

std::string pool_of(pid_t pid) {
    return "the pool of " + std::to_string(pid);
}

// Waits for `events` on `fd` until `deadline`; false when it passed.
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd entry{fd, events, 0};
        const int n = ::poll(&entry, 1, static_cast<int>(left.count()));
        if (n > 0) return true;
        if (n < 0 && errno != EINTR) throw_os_error("poll");
    }
}

UniqueFd connect_to(const Channel& channel) {
    UniqueFd socket(
        check_os(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), "socket"));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (channel.name.size() + 1 > sizeof address.sun_path)
        throw Error("control channel name too long: " + channel.name);
    std::memcpy(address.sun_path + 1, channel.name.data(), channel.name.size());
    const auto length =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + channel.name.size());
    if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
        if (errno == ECONNREFUSED || errno == ENOENT)
            throw Error(pool_of(channel.supervisor) + " ended");
        if (errno == EAGAIN) throw Error(pool_of(channel.supervisor) + " is busy: try again");
        throw_os_error("cannot reach " + pool_of(channel.supervisor));
    }
    // The socket must be the supervisor's own, not one bound by another process under a
    // name it could read in /proc/net/unix.
    ucred peer{};
    socklen_t size = sizeof peer;
    check_os(::getsockopt(socket.get(), SOL_SOCKET, SO_PEERCRED, &peer, &size),
             "getsockopt SO_PEERCRED");
    if (peer.pid != channel.supervisor)
        throw Error("the control channel of " + pool_of(channel.supervisor) +
                    " belongs to process " + std::to_string(peer.pid) + ": not used");
    return socket;
}

}  // namespace

std::vector<Channel> find_channels(pid_t pid, std::string_view segment_name) {
    auto channels = channels_of_supervisor(pid, segment_name);
    if (channels.empty()) {
        if (const pid_t parent = parent_of(pid); parent > 1)
            channels = channels_of_supervisor(parent, segment_name);
    }
    return channels;
}

Channel channel_of(pid_t pid, std::string_view segment_name) {
    auto channels = find_channels(pid, segment_name);
    if (channels.empty()) throw Error("no forkline pool found for process " + std::to_string(pid));
    if (channels.size() > 1)
        // No option names a segment: the full-screen view's keys act on the pool selected.
        throw Error("process " + std::to_string(channels.front().supervisor) + " runs " +
                    std::to_string(channels.size()) + " pools: pick one in `forkline top " +
                    std::to_string(channels.front().supervisor) + "` (up/down, then p or k)");
    return std::move(channels.front());
}

Reply send(const Channel& channel, const Request& request, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto socket = connect_to(channel);
    const auto text = format_request(request);
    if (::send(socket.get(), text.data(), text.size(), MSG_NOSIGNAL) < 0) {
        if (errno == EPIPE || errno == ECONNRESET)
            throw Error(pool_of(channel.supervisor) +
                        " refused the request (only its own user or root may control it)");
        throw_os_error("cannot send to " + pool_of(channel.supervisor));
    }
    if (!wait_for(socket.get(), POLLIN, deadline))
        throw Error(pool_of(channel.supervisor) + " did not answer within " +
                    std::to_string(timeout.count()) + " ms");
    char buffer[kMaxMessage];
    ssize_t n;
    while ((n = ::recv(socket.get(), buffer, sizeof buffer, 0)) < 0 && errno == EINTR) {
    }
    if (n <= 0)  // closed without a word: another user, or the pool ended meanwhile
        throw Error(pool_of(channel.supervisor) +
                    " refused the request (only its own user or root may control it)");
    auto reply = parse_reply(std::string_view(buffer, static_cast<std::size_t>(n)));
    if (!reply) throw Error(pool_of(channel.supervisor) + " sent a malformed reply");
    return *reply;
}

}  // namespace forkline::control
