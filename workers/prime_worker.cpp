// Serves primality jobs: a job is a uint64 n, the result a PrimeAnswer.
#include <forkline/serve.hpp>

#include "prime_job.hpp"

int main() {
    return forkline::serve_typed<std::uint64_t, primes::PrimeAnswer>(
        [](std::uint64_t n) { return primes::PrimeAnswer{primes::is_prime(n) ? 1u : 0u}; });
}
