// The event loop behind run_pipeline: write the input, read the outputs, reap the
// children, enforce the deadline, forward signals — all in one poll() so none can block
// another (the deadlock Popen.communicate exists to avoid).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spawn.hpp"
#include "unique_fd.hpp"

namespace forkline {

struct CommunicateSpec {
    UniqueFd input;  // non-blocking write end, or invalid
    std::string_view input_data;
    struct Output {
        UniqueFd fd;  // non-blocking read end
        std::string* into;
    };
    std::vector<Output> outputs;
    std::vector<Child*> children;  // null entries are skipped (stages that never started)
    pid_t group = -1;              // signalled on timeout and for forwarded signals
    std::optional<std::chrono::steady_clock::time_point> deadline;
    std::chrono::nanoseconds grace{};
    int signal_fd = -1;  // signalfd of the signals to forward, or -1
    // Called for a SIGCHLD read from signal_fd (which is not forwarded): a stage may have
    // stopped (job control, foreground_terminal.hpp). Exits are seen through the pidfds.
    std::function<void()> on_child_signal{};
};

struct CommunicateOutcome {
    bool timed_out = false;
    int forwarded_signal = 0;  // first signal read from signal_fd
    // Per child (same order as spec.children): how and when it ended.
    std::vector<std::optional<ExitStatus>> statuses;
    std::vector<std::chrono::steady_clock::time_point> ended;
};

// The loop one step at a time, for a pipeline handle (start_pipeline()): every source is in
// one epoll set, whose descriptor is readable whenever step() has something to do.
class Communicator {
  public:
    explicit Communicator(CommunicateSpec& spec);
    ~Communicator();
    Communicator(const Communicator&) = delete;
    Communicator& operator=(const Communicator&) = delete;

    // The epoll descriptor: readable when an output has bytes, the input pipe has room, a
    // child exited, the deadline passed or a forwarded signal came.
    int fd() const;
    // Handles what is ready, waiting up to `timeout` for something (-1: no limit). True
    // once every child is reaped and every output reached EOF — or, after a timeout or
    // kill, once the group is SIGKILLed and the children reaped; outputs are then drained.
    bool step(std::chrono::milliseconds timeout);
    bool finished() const;
    // Sends `signal` to the group and each running child. SIGKILL ends the loop at the
    // next step(); another signal is followed by SIGKILL after `grace` if they still run.
    void kill(int signal);
    const CommunicateOutcome& outcome() const;

  private:
    class Loop;
    std::unique_ptr<Loop> loop_;
};

// Runs until every child is reaped and every output reached EOF — or, after a timeout,
// until deadline + grace, when the group is SIGKILLed and what was read so far is kept.
CommunicateOutcome communicate(CommunicateSpec& spec);

}  // namespace forkline
