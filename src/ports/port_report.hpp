// How a scan is shown: an aligned table for people, JSON for machines.
#pragma once

#include <cstddef>
#include <cstdio>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "port_scanner.hpp"

namespace ports {

// One row per (socket, process); a socket whose owner we may not see has one row of "-".
// Lines longer than `width` characters are cut there (a terminal's width: a wrapped table
// cannot be read); 0: no limit.
void print_table(std::FILE* out, const std::vector<Listener>& listeners, std::size_t width = 0);

// `line` cut to its first `width` characters (UTF-8 sequences count as one); 0: as is.
std::string cut_to_width(std::string_view line, std::size_t width);

// {"listeners": [{protocol, family, address, port, inode, user, processes: […]}]}
nlohmann::json to_json(const std::vector<Listener>& listeners);

}  // namespace ports
