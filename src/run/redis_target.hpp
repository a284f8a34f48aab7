// forkline run's --redis URL and --queue NAME, checked before anything starts. Windows has
// no Redis client (no hiredis for mingw): there --redis itself is refused.
#pragma once

#include <string>

namespace run {

// Throws forkline::Error saying what is wrong (the Redis client's rules), or that Redis is
// not available.
void check_redis_target(const std::string& url, const std::string& queue);

}  // namespace run
