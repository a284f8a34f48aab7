// How many jobs a worker host holds from Redis at once (RedisWorkerOptions::prefetch). A
// fixed number, or adaptive: about 50 ms of this host's work (ten times what it finished in
// the last 10 ms, so a host that starts with few jobs grows within a few round trips), at
// least 2 × workers (long jobs stay balanced across hosts), at most 1024 and what a local
// segment of 256 MiB holds (its pages are touched only as far as the jobs reach).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <forkline/pool_defaults.hpp>
#include <forkline/redis.hpp>

namespace forkline::redis {

class Prefetch {
  public:
    Prefetch(const RedisWorkerOptions& o, unsigned workers)
        : fixed_(o.prefetch), least_(2 * static_cast<std::size_t>(workers)) {
        const std::size_t slot = (o.max_job_size ? o.max_job_size : kDefaultMaxJobSize) +
                                 (o.max_result_size ? o.max_result_size : kDefaultMaxResultSize);
        most_ = fixed_ != 0 ? fixed_ : std::max(least_, std::min(kMost, kSegmentBudget / slot));
        now_ = fixed_ != 0 ? fixed_ : least_;
    }

    std::size_t most() const { return most_; }

    std::size_t now() {
        if (fixed_ != 0) return fixed_;
        const auto t = std::chrono::steady_clock::now();
        if (t - window_start_ >= kWindow) {
            now_ = std::clamp(10 * finished_in_window_, least_, most_);
            finished_in_window_ = 0;
            window_start_ = t;
        }
        return now_;
    }

    void finished(std::size_t jobs) { finished_in_window_ += jobs; }

  private:
    static constexpr std::size_t kMost = 1024;
    static constexpr std::size_t kSegmentBudget = 256u << 20;
    static constexpr std::chrono::milliseconds kWindow{10};

    std::size_t fixed_;
    std::size_t least_;
    std::size_t most_ = 0;
    std::size_t now_ = 0;
    std::size_t finished_in_window_ = 0;
    std::chrono::steady_clock::time_point window_start_ = std::chrono::steady_clock::now();
};

}  // namespace forkline::redis
