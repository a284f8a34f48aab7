#include "communicate.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>

#include "os_error.hpp"
#include "sigpipe_blocked.hpp"

namespace forkline {

namespace {

using Clock = std::chrono::steady_clock;

enum class Phase { running, terminating, killed };

// A CLOCK_MONOTONIC timerfd armed at absolute times (steady_clock is CLOCK_MONOTONIC):
// it fires within a fraction of a millisecond of the deadline.
class DeadlineTimer {
  public:
    DeadlineTimer()
        : fd_(check_os(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK),
                       "timerfd_create")) {}
    void arm(Clock::time_point at) {
        const auto ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
        itimerspec spec{};
        spec.it_value.tv_sec = ns / 1'000'000'000;
        spec.it_value.tv_nsec = ns % 1'000'000'000;
        if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0)
            spec.it_value.tv_nsec = 1;  // 0 disarms
        check_os(::timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME, &spec, nullptr),
                 "timerfd_settime");
    }
    void acknowledge() {
        std::uint64_t expirations = 0;
        [[maybe_unused]] auto n = ::read(fd_.get(), &expirations, sizeof expirations);
    }
    int fd() const { return fd_.get(); }

  private:
    UniqueFd fd_;
};

// Which source an epoll event is for: the kind in the high half, the index in the low.
enum class Source : std::uint32_t { input, output, child, timer, signal };

std::uint64_t event_key(Source source, std::size_t index) {
    return (std::uint64_t{static_cast<std::uint32_t>(source)} << 32) | index;
}

}  // namespace

class Communicator::Loop {
  public:
    explicit Loop(CommunicateSpec& spec)
        : spec_(spec), epoll_(check_os(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1")) {
        outcome_.statuses.resize(spec.children.size());
        outcome_.ended.resize(spec.children.size());
        if (spec_.input.valid()) watch(spec_.input.get(), EPOLLOUT, Source::input, 0);
        for (std::size_t i = 0; i < spec_.outputs.size(); ++i) {
            watch(spec_.outputs[i].fd.get(), EPOLLIN, Source::output, i);
        }
        for (std::size_t i = 0; i < spec_.children.size(); ++i) {
            if (spec_.children[i] != nullptr)
                watch(spec_.children[i]->pidfd(), EPOLLIN, Source::child, i);
        }
        if (spec_.signal_fd >= 0) watch(spec_.signal_fd, EPOLLIN, Source::signal, 0);
        if (spec.deadline) arm(*spec.deadline);
    }

    int fd() const { return epoll_.get(); }
    bool finished() const { return done_; }
    const CommunicateOutcome& outcome() const { return outcome_; }

    bool step(std::chrono::milliseconds timeout) {
        if (!done_ && phase_ != Phase::killed && !all_ended()) wait_and_dispatch(timeout);
        if (!done_ && phase_ == Phase::killed) reap_killed();
        if (!done_ && (phase_ == Phase::killed || all_ended())) {
            drain_outputs();
            done_ = true;
        }
        return done_;
    }

    void kill(int signal) {
        if (done_) return;
        signal_group(signal);
        if (signal == SIGKILL) {
            phase_ = Phase::killed;
        } else if (phase_ == Phase::running) {  // a group that ignores it is killed after grace
            phase_ = Phase::terminating;
            arm(Clock::now() + spec_.grace);
        }
    }

  private:
    bool all_ended() const {
        for (std::size_t i = 0; i < spec_.children.size(); ++i) {
            if (spec_.children[i] != nullptr && !outcome_.statuses[i]) return false;
        }
        for (const auto& output : spec_.outputs) {
            if (output.fd.valid()) return false;
        }
        return true;
    }

    void watch(int fd, std::uint32_t events, Source source, std::size_t index) {
        epoll_event event{};
        event.events = events;
        event.data.u64 = event_key(source, index);
        check_os(::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event), "epoll_ctl");
    }

    // Before the fd is closed, or when it stays open but done (a reaped child's pidfd).
    void unwatch(int fd) { ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr); }

    void wait_and_dispatch(std::chrono::milliseconds timeout) {
        std::array<epoll_event, 16> events;
        // epoll takes an int of milliseconds: a far deadline waits in several steps.
        const auto ms = std::min<std::chrono::milliseconds::rep>(timeout.count(), INT_MAX);
        const int ready =
            ::epoll_wait(epoll_.get(), events.data(), events.size(), static_cast<int>(ms));
        if (ready < 0) {
            if (errno == EINTR) return;
            throw_os_error("epoll_wait");
        }
        for (int k = 0; k < ready; ++k) {
            const auto key = events[k].data.u64;
            const auto index = static_cast<std::size_t>(key & 0xffffffff);
            switch (static_cast<Source>(key >> 32)) {
                case Source::input:
                    write_input();
                    break;
                case Source::output:
                    read_output(spec_.outputs[index]);
                    break;
                case Source::child:
                    reap(index);
                    break;
                case Source::timer:
                    deadline_reached();
                    break;
                case Source::signal:
                    forward_signal();
                    break;
            }
        }
    }

    void write_input() {
        if (!spec_.input.valid()) return;
        const SigpipeBlocked sigpipe_blocked;  // EPIPE, not a signal, if the stage is gone
        while (!spec_.input_data.empty()) {
            const auto n =
                ::write(spec_.input.get(), spec_.input_data.data(), spec_.input_data.size());
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) return;
                break;  // EPIPE: the first stage stopped reading; the rest is dropped, as in a
                        // shell
            }
            spec_.input_data.remove_prefix(static_cast<std::size_t>(n));
        }
        unwatch(spec_.input.get());
        spec_.input.reset();  // EOF for the first stage
    }

    void read_output(CommunicateSpec::Output& output) {
        if (!output.fd.valid()) return;
        char buffer[65536];
        const auto n = ::read(output.fd.get(), buffer, sizeof buffer);
        if (n > 0) {
            output.into->append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            unwatch(output.fd.get());
            output.fd.reset();
        }
    }

    void reap(std::size_t index) {
        if (outcome_.statuses[index]) return;
        if (auto status = spec_.children[index]->try_wait()) {
            unwatch(spec_.children[index]->pidfd());
            outcome_.statuses[index] = *status;
            outcome_.ended[index] = Clock::now();
        }
    }

    void deadline_reached() {
        timer_->acknowledge();
        if (phase_ == Phase::running) {
            outcome_.timed_out = true;
            signal_group(SIGTERM);
            phase_ = Phase::terminating;
            arm(*spec_.deadline + spec_.grace);
        } else if (phase_ == Phase::terminating) {
            signal_group(SIGKILL);
            phase_ = Phase::killed;
        }
    }

    void forward_signal() {
        signalfd_siginfo info{};
        while (::read(spec_.signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
            const int signal = static_cast<int>(info.ssi_signo);
            if (signal == SIGCHLD) {
                if (spec_.on_child_signal) spec_.on_child_signal();
                continue;
            }
            if (outcome_.forwarded_signal == 0) outcome_.forwarded_signal = signal;
            kill(signal);
        }
    }

    // The group, and each stage still running by itself: a stage that left the group
    // (setsid) must not outlive the deadline either.
    void signal_group(int signal) const {
        if (spec_.group > 0) ::kill(-spec_.group, signal);
        for (std::size_t i = 0; i < spec_.children.size(); ++i) {
            if (spec_.children[i] != nullptr && !outcome_.statuses[i])
                spec_.children[i]->kill(signal);
        }
    }

    // After SIGKILL: the children die at once; a grandchild that left the group may still
    // hold an output open, and is not waited for.
    void reap_killed() {
        for (std::size_t i = 0; i < spec_.children.size(); ++i) {
            if (spec_.children[i] != nullptr && !outcome_.statuses[i]) {
                outcome_.statuses[i] = spec_.children[i]->wait();
                outcome_.ended[i] = Clock::now();
            }
        }
    }

    // Whatever is already in the pipes is output too (partial output is kept).
    void drain_outputs() {
        for (auto& output : spec_.outputs) {
            while (output.fd.valid()) {
                const auto before = output.into->size();
                read_output(output);
                if (output.into->size() == before) break;  // EOF, or nothing more right now
            }
            if (output.fd.valid()) unwatch(output.fd.get());
            output.fd.reset();
        }
    }

    // Created only when needed: most pipelines run without a deadline.
    void arm(Clock::time_point at) {
        if (!timer_) {
            timer_.emplace();
            watch(timer_->fd(), EPOLLIN, Source::timer, 0);
        }
        timer_->arm(at);
    }

    CommunicateSpec& spec_;
    CommunicateOutcome outcome_;
    UniqueFd epoll_;
    std::optional<DeadlineTimer> timer_;
    Phase phase_ = Phase::running;
    bool done_ = false;
};

Communicator::Communicator(CommunicateSpec& spec) : loop_(std::make_unique<Loop>(spec)) {}
Communicator::~Communicator() = default;
int Communicator::fd() const {
    return loop_->fd();
}
bool Communicator::step(std::chrono::milliseconds timeout) {
    return loop_->step(timeout);
}
bool Communicator::finished() const {
    return loop_->finished();
}
void Communicator::kill(int signal) {
    loop_->kill(signal);
}
const CommunicateOutcome& Communicator::outcome() const {
    return loop_->outcome();
}

CommunicateOutcome communicate(CommunicateSpec& spec) {
    Communicator communicator(spec);
    while (!communicator.step(std::chrono::milliseconds(-1))) {
    }
    return communicator.outcome();
}

}  // namespace forkline
