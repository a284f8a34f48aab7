// One job of a port scan, as pool workers run it: which of these processes hold any of these
// socket inodes, and what are their details. Jobs and answers travel as JSON.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "process_info.hpp"

namespace ports {

struct OwnerQuery {
    std::vector<std::uint64_t> inodes;  // sorted
    std::vector<pid_t> pids;
};

struct Owner {
    ProcessInfo process;
    std::vector<std::uint64_t> inodes;  // the queried sockets it holds
};

// Processes we may not look into, or that exit meanwhile, are left out.
std::vector<Owner> find_owners(const OwnerQuery& query);

std::string encode_query(const OwnerQuery& query);
OwnerQuery decode_query(std::string_view text);
std::string encode_owners(const std::vector<Owner>& owners);
std::vector<Owner> decode_owners(std::string_view text);

// ProcessInfo <-> JSON (unknown fields are null), also used by the --json report.
void to_json(nlohmann::json& json, const ProcessInfo& process);
void from_json(const nlohmann::json& json, ProcessInfo& process);

}  // namespace ports
