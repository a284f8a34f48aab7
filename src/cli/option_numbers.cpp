#include "option_numbers.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "usage_error.hpp"

namespace cli {

namespace {

std::string real_text(double n) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", n);
    return text;
}

// from_chars takes no leading '+' or space and no trailing garbage: exactly the digits.
template <typename Number>
bool parse_whole(const std::string& text, Number& value) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size() && !text.empty();
}

}  // namespace

unsigned long long parse_count(const std::string& option, const std::string& text,
                               unsigned long long min, unsigned long long max) {
    unsigned long long value = 0;
    if (!parse_whole(text, value) || value < min || value > max) {
        throw UsageError(option + " needs a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", not '" + text + "'");
    }
    return value;
}

double parse_real(const std::string& option, const std::string& text, double min, double max) {
    double value = 0;
    if (!parse_whole(text, value) || !std::isfinite(value) || value < min || value > max) {
        throw UsageError(option + " needs a number from " + real_text(min) + " to " +
                         real_text(max) + ", not '" + text + "'");
    }
    return value;
}

std::chrono::nanoseconds parse_seconds(const std::string& option, const std::string& text) {
    const double seconds = parse_real(option, text, 0, kMaxSeconds);
    return std::chrono::nanoseconds(static_cast<long long>(std::llround(seconds * 1e9)));
}

}  // namespace cli
