// The supervisor's end of a pool's control channel (control_protocol.hpp): a listening
// Unix socket in the abstract namespace, answered without a thread and without a nap.
//
// fd() is an epoll descriptor over the listening socket and the connections waiting for
// their request; the pool watches it in its own epoll set (pool_events.hpp) and calls
// serve() when it is readable (or now and then while results keep it busy). serve() never
// blocks: it accepts, refuses a peer of another user (SO_PEERCRED: uid equal to ours, or
// root) by closing its connection, reads each request that has come, has `answer` handle
// it and sends the reply. A connection whose request has not come yet waits in the set;
// at most kMaxWaiting do (the oldest is dropped), so no client can make it grow.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "control_protocol.hpp"
#include "unique_fd.hpp"

namespace forkline::control {

class ControlChannel {
  public:
    static constexpr std::size_t kMaxWaiting = 16;

    // Listens on "forkline-control-PID-SEGMENT-RANDOM" for the segment named
    // `segment_name`. Throws OsError when it cannot.
    explicit ControlChannel(std::string_view segment_name);

    int fd() const { return epoll_.get(); }
    const std::string& name() const { return name_; }

    // Answers every request that has come; returns how many.
    std::size_t serve(const std::function<Reply(const Request&)>& answer);

  private:
    void accept_waiting();
    // Reads and answers `connection`'s request; false while it has not come yet.
    bool answer_one(int connection, const std::function<Reply(const Request&)>& answer);
    void forget(int connection);

    std::string name_;
    UniqueFd listener_;
    UniqueFd epoll_;
    std::deque<UniqueFd> waiting_;  // accepted, request not read yet (oldest first)
};

}  // namespace forkline::control
