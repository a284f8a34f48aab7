// How a scan is shown: an aligned table for people, JSON for machines.
#pragma once

#include <cstdio>
#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "port_scanner.hpp"

namespace ports {

// One row per (socket, process); a socket whose owner we may not see has one row of "-".
void print_table(std::FILE* out, const std::vector<Listener>& listeners);

// {"listeners": [{protocol, family, address, port, inode, user, processes: […]}]}
nlohmann::json to_json(const std::vector<Listener>& listeners);

}  // namespace ports
