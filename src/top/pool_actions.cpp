#include "pool_actions.hpp"

#include <chrono>
#include <forkline/error.hpp>

#include "control_client.hpp"

namespace top {

namespace {

namespace control = forkline::control;

// The screen waits for the answer: a pool answers while it is inside a Pool call, which a
// busy program may not be for a while; then the status line says so.
constexpr std::chrono::milliseconds kPatience{1000};

class ChannelActions final : public PoolActions {
  public:
    std::string cancel(pid_t supervisor, const std::string& segment,
                       std::uint64_t job_id) override {
        return ask(supervisor, segment, {control::Request::Kind::cancel, job_id});
    }

    std::string pause_or_resume(pid_t supervisor, const std::string& segment) override {
        try {
            const auto channel = control::channel_of(supervisor, segment);
            const auto now = control::send(channel, {control::Request::Kind::status}, kPatience);
            const auto kind =
                now.paused ? control::Request::Kind::resume : control::Request::Kind::pause;
            return said(supervisor, control::send(channel, {kind}, kPatience));
        } catch (const forkline::Error& e) {
            return e.what();
        }
    }

  private:
    static std::string ask(pid_t supervisor, const std::string& segment,
                           const control::Request& request) {
        try {
            return said(supervisor, control::send(control::channel_of(supervisor, segment), request,
                                                  kPatience));
        } catch (const forkline::Error& e) {
            return e.what();
        }
    }

    static std::string said(pid_t supervisor, const control::Reply& reply) {
        const auto state = reply.paused ? "paused" : "running";
        return "pool " + std::to_string(supervisor) + ": " +
               (reply.message.empty() ? std::string(state) : reply.message + " (" + state + ")");
    }
};

}  // namespace

std::unique_ptr<PoolActions> make_pool_actions() {
    return std::make_unique<ChannelActions>();
}

}  // namespace top
