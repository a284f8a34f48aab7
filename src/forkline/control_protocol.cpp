#include "control_protocol.hpp"

#include <charconv>

namespace forkline::control {

namespace {

constexpr std::string_view kSegmentPrefix = "forkline-";
constexpr std::string_view kChannelPrefix = "forkline-control-";

// The first word of `text` (up to a space), and `text` moved past it and its space.
std::string_view take_word(std::string_view& text) {
    const auto end = text.find(' ');
    const auto word = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    return word;
}

const char* state_word(bool paused) {
    return paused ? "paused" : "running";
}

}  // namespace

std::string format_request(const Request& request) {
    switch (request.kind) {
        case Request::Kind::cancel:
            return "cancel " + std::to_string(request.job);
        case Request::Kind::pause:
            return "pause";
        case Request::Kind::resume:
            return "resume";
        case Request::Kind::status:
            return "status";
    }
    return "status";
}

std::optional<Request> parse_request(std::string_view text) {
    if (text.size() > kMaxMessage) return std::nullopt;
    const auto command = take_word(text);
    if (command == "pause" && text.empty()) return Request{Request::Kind::pause};
    if (command == "resume" && text.empty()) return Request{Request::Kind::resume};
    if (command == "status" && text.empty()) return Request{Request::Kind::status};
    if (command != "cancel") return std::nullopt;
    Request request{Request::Kind::cancel};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), request.job);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return request;
}

std::string format_reply(const Reply& reply) {
    std::string text = reply.ok ? "ok " : "error ";
    text += state_word(reply.paused);
    if (!reply.message.empty()) text += ' ' + reply.message;
    return text.substr(0, kMaxMessage);
}

std::optional<Reply> parse_reply(std::string_view text) {
    Reply reply;
    const auto status = take_word(text);
    const auto state = take_word(text);
    if ((status != "ok" && status != "error") || (state != "running" && state != "paused"))
        return std::nullopt;
    reply.ok = status == "ok";
    reply.paused = state == "paused";
    reply.message = text;
    return reply;
}

std::string channel_prefix(std::string_view segment_name) {
    if (segment_name.starts_with('/')) segment_name.remove_prefix(1);
    if (segment_name.starts_with(kSegmentPrefix)) segment_name.remove_prefix(kSegmentPrefix.size());
    return std::string(kChannelPrefix) + std::string(segment_name) + "-";
}

std::string channel_prefix(pid_t supervisor) {
    return std::string(kChannelPrefix) + std::to_string(supervisor) + "-";
}

}  // namespace forkline::control
