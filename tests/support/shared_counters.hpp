// Counters a test shares with a pool's forked workers (MAP_SHARED survives fork).
#pragma once

#include <doctest/doctest.h>
#include <sys/mman.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace test_support {

// `count` counters, zero at first, that every forked worker sees: e.g. how many times each
// job's handler ran, whatever happened to its worker.
class SharedCounters {
  public:
    explicit SharedCounters(std::size_t count) : count_(count) {
        void* memory =
            ::mmap(nullptr, bytes(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        REQUIRE(memory != MAP_FAILED);
        counters_ = static_cast<std::atomic<std::uint32_t>*>(memory);
    }
    ~SharedCounters() { ::munmap(counters_, bytes()); }
    SharedCounters(const SharedCounters&) = delete;
    SharedCounters& operator=(const SharedCounters&) = delete;

    std::atomic<std::uint32_t>& operator[](std::size_t i) const { return counters_[i]; }

  private:
    std::size_t bytes() const { return count_ * sizeof(std::atomic<std::uint32_t>); }
    std::size_t count_;
    std::atomic<std::uint32_t>* counters_;
};

}  // namespace test_support
