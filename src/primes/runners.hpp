// The three ways procs checks numbers, as the classic sequential.py / threads.py / procs.py.
// Each reports every check as it completes and returns the wall time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace primes {

struct Check {
    std::uint64_t n;
    bool prime;
    std::chrono::duration<double> elapsed;  // time of this one check
};

using CheckCallback = std::function<void(const Check&)>;

std::chrono::duration<double> run_sequential(const std::vector<std::uint64_t>& numbers,
                                             const CheckCallback& on_check);

// `workers` threads take numbers from a shared index; on_check runs under a lock.
std::chrono::duration<double> run_threads(const std::vector<std::uint64_t>& numbers,
                                          unsigned workers, const CheckCallback& on_check);

// `workers` prime_worker processes through a forkline::Pool. Throws forkline::Error, and
// std::runtime_error if a check was lost (every attempt's worker died).
std::chrono::duration<double> run_processes(const std::vector<std::uint64_t>& numbers,
                                            unsigned workers, const CheckCallback& on_check);

}  // namespace primes

namespace primes {

// Where run_redis sends the checks (procs --redis).
struct RedisRun {
    std::string url;
    std::string queue = "primes";
    unsigned local_workers = 0;  // prime_worker processes run here, beside remote ones
    std::chrono::seconds give_up{};
};

// Checks `where`'s url and queue name before anything runs; throws forkline::Error saying
// what is wrong (a build without Redis, e.g. on Windows: that it has none).
void check_redis_run(const RedisRun& where);

// The checks go through a Redis queue, to `forkline worker` processes on any host (and
// local_workers here). Throws forkline::Error, and std::runtime_error if a check was lost.
std::chrono::duration<double> run_redis(const std::vector<std::uint64_t>& numbers,
                                        const RedisRun& where, const CheckCallback& on_check);

}  // namespace primes
