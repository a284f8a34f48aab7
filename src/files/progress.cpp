#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace files {

ProgressBar::ProgressBar(bool enabled, std::uint64_t total_bytes, std::size_t total_chunks)
    : enabled_(enabled), total_bytes_(total_bytes), total_chunks_(total_chunks) {}

void ProgressBar::update(std::uint64_t bytes, std::size_t chunks) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100) && chunks != total_chunks_) return;
    last_ = now;
    const double fraction =
        total_bytes_ > 0 ? static_cast<double>(bytes) / static_cast<double>(total_bytes_) : 1.0;
    constexpr int kWidth = 30;
    const int filled = std::clamp(static_cast<int>(fraction * kWidth), 0, kWidth);
    const double seconds = std::chrono::duration<double>(now - started_).count();
    const double rate = seconds > 0 ? static_cast<double>(bytes) / seconds / 1e6 : 0;
    char line[200];
    const int n = std::snprintf(
        line, sizeof line, "\r\033[K[%s%s] %3.0f%%  %.1f/%.1f MB  %zu/%zu chunks  %.0f MB/s",
        std::string(static_cast<std::size_t>(filled), '#').c_str(),
        std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(), fraction * 100,
        static_cast<double>(bytes) / 1e6, static_cast<double>(total_bytes_) / 1e6, chunks,
        total_chunks_, rate);
    if (n > 0) {
        const auto size = std::min(static_cast<std::size_t>(n), sizeof line - 1);
        if (::write(STDERR_FILENO, line, size) < 0) enabled_ = false;
    }
    shown_ = true;
}

void ProgressBar::clear() {
    if (!shown_) return;
    if (::write(STDERR_FILENO, "\r\033[K", 4) < 0) enabled_ = false;
    shown_ = false;
}

}  // namespace files
