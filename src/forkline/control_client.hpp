// The client side of a pool's control channel (control_protocol.hpp): what
// `forkline top PID --cancel JOB | --pause | --resume` and the keys of its live view use.
//
//   const auto channel = forkline::control::channel_of(pid);   // a supervisor or a worker
//   const auto reply = forkline::control::send(channel, {forkline::control::Request::Kind::pause});
//
// Only the pool's own user or root is answered: the supervisor checks SO_PEERCRED and
// closes the connection of anyone else. The client checks SO_PEERCRED too: the socket
// must be the supervisor's own (its pid), not one another process bound under the name.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "control_protocol.hpp"

namespace forkline::control {

// One pool's control channel.
struct Channel {
    pid_t supervisor = 0;
    std::string name;  // the abstract socket's name, without its leading NUL
};

// The channels of the pools process `pid` supervises, read from /proc/net/unix; when it
// supervises none, those of its parent (`pid` is then one of its workers). A non-empty
// `segment_name` ("forkline-PID-RANDOM") keeps the channel of that pool only. Empty when
// there is none (not a forkline pool, or another network namespace).
std::vector<Channel> find_channels(pid_t pid, std::string_view segment_name = {});

// The one channel of the pool of `pid` (find_channels()). Throws forkline::Error when
// there is none ("no forkline pool found for PID") or several ("PID runs N pools").
Channel channel_of(pid_t pid, std::string_view segment_name = {});

// Sends one request and returns the reply. Throws forkline::Error, its message written for
// the user, when the channel cannot be reached (the pool ended), the supervisor refuses
// (another user), the socket is not the supervisor's, or no reply comes within `timeout`
// (a program answers while it is inside a Pool call: submit(), poll(), wait()…).
Reply send(const Channel& channel, const Request& request,
           std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace forkline::control
