// procs --redis in a build without the Redis transport (no hiredis: Windows): refused
// with one line before anything runs.
#include <forkline/error.hpp>

#include "runners.hpp"

namespace primes {

void check_redis_run(const RedisRun&) {
    throw forkline::Error(
        "--redis is not available in this build: the Redis transport needs "
        "hiredis, which it was built without (as on Windows)");
}

std::chrono::duration<double> run_redis(const std::vector<std::uint64_t>&, const RedisRun& where,
                                        const CheckCallback&) {
    check_redis_run(where);
    return {};
}

}  // namespace primes
