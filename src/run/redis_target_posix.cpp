#include <forkline/redis.hpp>

#include "keys.hpp"
#include "redis_target.hpp"

namespace run {

void check_redis_target(const std::string& url, const std::string& queue) {
    forkline::check_redis_url(url);
    forkline::redis::checked_queue_name(queue);
}

}  // namespace run
