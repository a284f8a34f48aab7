#include "median_runtime.hpp"

#include <algorithm>
#include <cmath>

namespace run {

namespace {

constexpr double kShortest = 1e-6;  // seconds; shorter runtimes count as this
const double kStep = std::log(1.01);

}  // namespace

void MedianRuntime::add(double seconds) {
    const double ratio = std::max(seconds, kShortest) / kShortest;
    const auto bucket = static_cast<std::size_t>(std::log(ratio) / kStep);
    ++counts_[std::min(bucket, kBuckets - 1)];
    ++total_;
}

std::optional<double> MedianRuntime::median() const {
    if (total_ == 0) return std::nullopt;
    std::uint64_t seen = 0;
    std::size_t bucket = 0;
    for (; bucket < kBuckets; ++bucket) {
        seen += counts_[bucket];
        if (2 * seen >= total_) break;  // the lower median, as GNU's remedian takes
    }
    // The bucket's middle: its runtimes are within 0.5% of it.
    return kShortest * std::exp((static_cast<double>(bucket) + 0.5) * kStep);
}

double percent_timeout(const MedianRuntime& runtimes, double percent) {
    const auto median = runtimes.median();
    if (!median) return 0;
    // Never 0 (which would mean no timeout) for jobs that take no measurable time.
    return std::max(*median * percent / 100, 1e-3);
}

}  // namespace run
