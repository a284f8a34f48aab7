// What a pool's supervisor and `forkline top` say to each other over the pool's control
// channel (control_channel.hpp, control_client.hpp): one request, one reply, each a short
// line of text in one SOCK_SEQPACKET message.
//
//   request   "cancel ID" | "pause" | "resume" | "status"
//   reply     "ok STATE [MESSAGE]" | "error STATE MESSAGE"      STATE: "running" | "paused"
//
// Every reply carries the pool's state after the request, so a client toggling pause needs
// no second round trip. The channel is a Unix socket in the abstract namespace named
// "forkline-control-PID-SEGMENT-RANDOM": PID the supervisor's, SEGMENT the random part of
// its segment's name (which pool of that process), RANDOM chosen by the supervisor so that
// nobody can bind the name first. The abstract name disappears with the last descriptor of
// the socket: a SIGKILLed supervisor leaves nothing behind.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace forkline::control {

struct Request {
    enum class Kind { cancel, pause, resume, status };
    Kind kind = Kind::status;
    std::uint64_t job = 0;  // cancel: the pool's job id (Pool::submit()'s JobId)
};

struct Reply {
    bool ok = false;
    bool paused = false;  // the pool's state after the request
    std::string message;  // cancel: what happened; error: why
};

// The longest request or reply; longer messages are refused (an error reply).
inline constexpr std::size_t kMaxMessage = 512;

std::string format_request(const Request& request);
// nullopt: not a request (a malformed, unknown or over-long line).
std::optional<Request> parse_request(std::string_view text);

std::string format_reply(const Reply& reply);
// nullopt: not a reply.
std::optional<Reply> parse_reply(std::string_view text);

// "forkline-control-PID-SEGMENT-" for a segment named "forkline-PID-SEGMENT" (the name
// OwnedSegment::name() gives): every channel of that pool starts with it.
std::string channel_prefix(std::string_view segment_name);
// "forkline-control-PID-": every channel of the pools of supervisor `pid`.
std::string channel_prefix(pid_t supervisor);

}  // namespace forkline::control
