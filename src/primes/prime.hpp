// Primality by trial division: the same algorithm as the classic primes.py (divide by odd
// numbers up to isqrt(n)), made fast without changing what it computes.
#pragma once

#include <cstdint>

namespace primes {

bool is_prime(std::uint64_t n);

}  // namespace primes
