// The median runtime of the jobs that succeeded so far, for --timeout N% (GNU parallel's
// rule: a job may run N% of that median). Memory does not grow with the number of jobs:
// runtimes are counted in buckets 1% wide (from 1 µs to 10⁶ s), so the median is exact to
// within 1%.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace run {

class MedianRuntime {
  public:
    void add(double seconds);
    std::optional<double> median() const;  // none before the first add()

  private:
    static constexpr std::size_t kBuckets = 2800;  // log(10¹²) / log(1.01) ≈ 2777
    std::array<std::uint64_t, kBuckets> counts_{};
    std::uint64_t total_ = 0;
};

// The time limit of a job started now under --timeout N%: N% of the median, or none (0)
// while no job has succeeded.
double percent_timeout(const MedianRuntime& runtimes, double percent);

}  // namespace run
