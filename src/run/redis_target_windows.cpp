#include <forkline/error.hpp>

#include "redis_target.hpp"

namespace run {

void check_redis_target(const std::string&, const std::string&) {
    throw forkline::Error("--redis is not available on Windows (no Redis client is built there)");
}

}  // namespace run
