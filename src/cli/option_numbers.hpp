// Numbers in options, read one way by every tool: the whole text, no spaces or signs
// around it, within limits that are the same for the same thing in every tool.
#pragma once

#include <chrono>
#include <string>

namespace cli {

// Worker processes or jobs at once (-j, PROCESSES): the pool's own limit.
inline constexpr unsigned kMaxWorkers = 4096;
// Durations (timeouts, intervals): at most 10^6 s (11.5 days), so that nanosecond
// arithmetic cannot overflow. A timeout of 0 means "no timeout" in every tool.
inline constexpr double kMaxSeconds = 1e6;

// `text` as a whole number from `min` to `max`, else a UsageError naming `option`.
unsigned long long parse_count(const std::string& option, const std::string& text,
                               unsigned long long min, unsigned long long max);

// `text` as a number (fractions allowed) from `min` to `max`, else a UsageError.
double parse_real(const std::string& option, const std::string& text, double min, double max);

// `text` as seconds from 0 to kMaxSeconds (fractions allowed), else a UsageError.
std::chrono::nanoseconds parse_seconds(const std::string& option, const std::string& text);

template <typename Count>
Count parse_count_as(const std::string& option, const std::string& text, Count min, Count max) {
    return static_cast<Count>(parse_count(option, text, min, max));
}

}  // namespace cli
