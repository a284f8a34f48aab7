#include "owner_query.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace ports {

namespace {

template <typename T>
void put_optional(nlohmann::json& json, const char* key, const std::optional<T>& value) {
    json[key] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

template <typename T>
void get_optional(const nlohmann::json& json, const char* key, std::optional<T>& value) {
    const auto& field = json.at(key);
    value = field.is_null() ? std::nullopt : std::optional<T>(field.get<T>());
}

}  // namespace

std::vector<Owner> find_owners(const OwnerQuery& query) {
    std::vector<Owner> owners;
    for (const auto pid : query.pids) {
        const auto fds = scan_fds(pid);
        if (!fds) continue;
        std::vector<std::uint64_t> held;
        for (const auto inode : fds->socket_inodes) {
            if (std::binary_search(query.inodes.begin(), query.inodes.end(), inode))
                held.push_back(inode);
        }
        if (held.empty()) continue;
        if (auto process = read_process_info(pid, fds->count))
            owners.push_back({std::move(*process), std::move(held)});
    }
    for (const auto pid : query.owners) {
        const auto fds = scan_fds(pid);
        if (auto process = read_process_info(pid, fds ? std::optional(fds->count) : std::nullopt))
            owners.push_back({std::move(*process), {}});
    }
    return owners;
}

void to_json(nlohmann::json& json, const ProcessInfo& process) {
    json = {{"pid", process.pid},
            {"name", process.name},
            {"command_line", process.command_line},
            {"state", process.state}};
    put_optional(json, "user", process.user);
    put_optional(json, "rss_bytes", process.rss_bytes);
    put_optional(json, "threads", process.threads);
    put_optional(json, "cpu_seconds", process.cpu_seconds);
    put_optional(json, "start_time", process.start_time);
    put_optional(json, "open_fds", process.open_fds);
}

void from_json(const nlohmann::json& json, ProcessInfo& process) {
    process.pid = json.at("pid").get<pid_t>();
    process.name = json.at("name").get<std::string>();
    process.command_line = json.at("command_line").get<std::string>();
    process.state = json.at("state").get<std::string>();
    get_optional(json, "user", process.user);
    get_optional(json, "rss_bytes", process.rss_bytes);
    get_optional(json, "threads", process.threads);
    get_optional(json, "cpu_seconds", process.cpu_seconds);
    get_optional(json, "start_time", process.start_time);
    get_optional(json, "open_fds", process.open_fds);
}

std::string encode_query(const OwnerQuery& query) {
    return nlohmann::json{{"inodes", query.inodes}, {"pids", query.pids}, {"owners", query.owners}}
        .dump();
}

OwnerQuery decode_query(std::string_view text) {
    const auto json = nlohmann::json::parse(text);
    return {json.at("inodes").get<std::vector<std::uint64_t>>(),
            json.at("pids").get<std::vector<pid_t>>(), json.value("owners", std::vector<pid_t>{})};
}

std::string encode_owners(const std::vector<Owner>& owners) {
    auto json = nlohmann::json::array();
    for (const auto& owner : owners)
        json.push_back({{"process", owner.process}, {"inodes", owner.inodes}});
    // Command lines are raw bytes: never let one invalid UTF-8 sequence fail the dump.
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<Owner> decode_owners(std::string_view text) {
    std::vector<Owner> owners;
    for (const auto& item : nlohmann::json::parse(text)) {
        owners.push_back({item.at("process").get<ProcessInfo>(),
                          item.at("inodes").get<std::vector<std::uint64_t>>()});
    }
    return owners;
}

}  // namespace ports
