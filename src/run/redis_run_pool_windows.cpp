#include <forkline/error.hpp>

#include "redis_run_pool.hpp"

namespace run {

std::unique_ptr<RunPool> make_redis_run_pool(const RunOptions&, const std::filesystem::path&,
                                             RunPool::ResultCallback,
                                             std::function<void(const std::string&)>) {
    throw forkline::Error("--redis is not available on Windows (no Redis client is built there)");
}

}  // namespace run
