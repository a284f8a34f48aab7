#include <forkline/error.hpp>

#include "worker_host.hpp"

namespace command_worker {

std::unique_ptr<WorkerHost> connect_worker_host(std::string, std::string,
                                                const std::filesystem::path&) {
    throw forkline::Error("a Redis run's jobs need a Redis client, which Windows has not");
}

}  // namespace command_worker
