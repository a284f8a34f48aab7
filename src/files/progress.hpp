// The progress bar of `forkline files` on stderr: bytes done of the total, rate, chunks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace files {

class ProgressBar {
  public:
    ProgressBar(bool enabled, std::uint64_t total_bytes, std::size_t total_chunks);
    ~ProgressBar() { clear(); }
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    // Redraws at most 10 times a second.
    void update(std::uint64_t bytes, std::size_t chunks);
    void clear();

  private:
    bool enabled_;
    bool shown_ = false;
    std::uint64_t total_bytes_;
    std::size_t total_chunks_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace files
