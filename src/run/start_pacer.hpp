// When the next job of `forkline run` may start, given --rate (a token bucket of one) and
// --delay: whichever asks for the longer interval between two starts.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>

#include "run_options.hpp"

namespace run {

class StartPacer {
  public:
    using Clock = std::chrono::steady_clock;

    explicit StartPacer(const RunOptions& options)
        : interval_(
              std::max(options.rate_per_s > 0 ? 1.0 / options.rate_per_s : 0.0, options.delay_s)) {}

    // How long until the next start is allowed; zero when it is now.
    Clock::duration wait() const {
        if (!last_) return {};
        const auto next = *last_ + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(interval_));
        return std::max(Clock::duration{}, next - Clock::now());
    }
    void started() { last_ = Clock::now(); }

  private:
    double interval_;  // seconds
    std::optional<Clock::time_point> last_;
};

}  // namespace run
