// Names that must not collide across hosts: run ids and worker ids.
#pragma once

#include <string>

namespace forkline::redis {

std::string random_hex(std::size_t bytes);  // getrandom(2)

// HOST-PID-RANDOM: readable in redis-cli, unique across hosts and restarts.
std::string new_worker_id();

}  // namespace forkline::redis
