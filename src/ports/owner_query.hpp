// One job of a port scan, as pool workers run it: which of these processes hold any of these
// socket inodes, and what are their details. Jobs and answers travel as JSON. Where the
// socket tables name the owners (Windows), the query only asks for those processes' details.
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
    std::vector<pid_t> pids;            // whose fds to scan for the inodes
    std::vector<pid_t> owners;          // named by the socket tables (Windows): no scan needed
};

struct Owner {
    ProcessInfo process;
    std::vector<std::uint64_t> inodes;  // the queried sockets it holds
};

// Scanned processes we may not look into, or that exit meanwhile, are left out; named owners
// that exit meanwhile too.
std::vector<Owner> find_owners(const OwnerQuery& query);

std::string encode_query(const OwnerQuery& query);
OwnerQuery decode_query(std::string_view text);
std::string encode_owners(const std::vector<Owner>& owners);
std::vector<Owner> decode_owners(std::string_view text);

// ProcessInfo <-> JSON (unknown fields are null), also used by the --json report.
void to_json(nlohmann::json& json, const ProcessInfo& process);
void from_json(const nlohmann::json& json, ProcessInfo& process);

}  // namespace ports
