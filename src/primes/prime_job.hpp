// What procs sends to prime_worker and what comes back through the shared-memory queue.
#pragma once

#include <cstdint>

#include "prime.hpp"

namespace primes {

struct PrimeAnswer {
    std::uint32_t prime;  // 1 when prime
};

}  // namespace primes
