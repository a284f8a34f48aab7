#include "communicate.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>

#include "os_error.hpp"

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

class Loop {
  public:
    explicit Loop(CommunicateSpec& spec) : spec_(spec) {
        outcome_.statuses.resize(spec.children.size());
        outcome_.ended.resize(spec.children.size());
        if (spec.deadline) arm(*spec.deadline);
    }

    CommunicateOutcome run() {
        while (!finished()) {
            if (phase_ == Phase::killed) {
                reap_killed();
                break;
            }
            wait_and_dispatch();
        }
        drain_outputs();
        return std::move(outcome_);
    }

  private:
    bool finished() const {
        for (std::size_t i = 0; i < spec_.children.size(); ++i) {
            if (spec_.children[i] != nullptr && !outcome_.statuses[i]) return false;
        }
        for (const auto& output : spec_.outputs) {
            if (output.fd.valid()) return false;
        }
        return true;
    }

    void wait_and_dispatch() {
        std::vector<pollfd> fds;
        enum class Source { input, output, child, timer, signal };
        std::vector<std::pair<Source, std::size_t>> sources;
        auto watch = [&](int fd, short events, Source source, std::size_t index) {
            fds.push_back({fd, events, 0});
            sources.emplace_back(source, index);
        };
        if (spec_.input.valid()) watch(spec_.input.get(), POLLOUT, Source::input, 0);
        for (std::size_t i = 0; i < spec_.outputs.size(); ++i) {
            if (spec_.outputs[i].fd.valid())
                watch(spec_.outputs[i].fd.get(), POLLIN, Source::output, i);
        }
        for (std::size_t i = 0; i < spec_.children.size(); ++i) {
            if (spec_.children[i] != nullptr && !outcome_.statuses[i]) {
                watch(spec_.children[i]->pidfd(), POLLIN, Source::child, i);
            }
        }
        if (timer_) watch(timer_->fd(), POLLIN, Source::timer, 0);
        if (spec_.signal_fd >= 0) watch(spec_.signal_fd, POLLIN, Source::signal, 0);

        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) return;
            throw_os_error("poll");
        }
        for (std::size_t k = 0; k < fds.size(); ++k) {
            if (fds[k].revents == 0) continue;
            const auto [source, index] = sources[k];
            switch (source) {
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
        spec_.input.reset();  // EOF for the first stage
    }

    static void read_output(CommunicateSpec::Output& output) {
        char buffer[65536];
        const auto n = ::read(output.fd.get(), buffer, sizeof buffer);
        if (n > 0) {
            output.into->append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            output.fd.reset();
        }
    }

    void reap(std::size_t index) {
        if (auto status = spec_.children[index]->try_wait()) {
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
            signal_group(signal);
            if (phase_ == Phase::running) {  // a group that ignores it is killed after grace
                phase_ = Phase::terminating;
                arm(Clock::now() + spec_.grace);
            }
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
            output.fd.reset();
        }
    }

    CommunicateSpec& spec_;
    CommunicateOutcome outcome_;
    // Created only when needed: most pipelines run without a deadline.
    void arm(Clock::time_point at) {
        if (!timer_) timer_.emplace();
        timer_->arm(at);
    }

    std::optional<DeadlineTimer> timer_;
    Phase phase_ = Phase::running;
};

}  // namespace

CommunicateOutcome communicate(CommunicateSpec& spec) {
    return Loop(spec).run();
}

}  // namespace forkline
