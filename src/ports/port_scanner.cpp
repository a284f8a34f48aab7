#include "port_scanner.hpp"

#include <algorithm>
#include <tuple>

#include "owner_query.hpp"

namespace ports {

namespace {

// Owners hold a few 4 KiB command lines at most: a job of 64 pids answers within this.
constexpr std::size_t kMaxAnswer = 512 * 1024;
constexpr std::size_t kMaxPidsPerJob = 64;

std::vector<Owner> scan_with_pool(forkline::Pool& pool, const OwnerQuery& query) {
    // About four jobs per worker: balance without paying a round trip per pid.
    const std::size_t per_job =
        std::clamp<std::size_t>(query.pids.size() / (pool.worker_count() * 4), 1, kMaxPidsPerJob);
    for (std::size_t first = 0; first < query.pids.size(); first += per_job) {
        const auto last = std::min(query.pids.size(), first + per_job);
        const auto job = encode_query(
            {query.inodes, {query.pids.begin() + first, query.pids.begin() + last}, {}});
        pool.submit(std::as_bytes(std::span(job)));
    }
    std::vector<Owner> owners;
    while (auto result = pool.next_result()) {
        const std::string_view data(reinterpret_cast<const char*>(result->data.data()),
                                    result->data.size());
        if (result->status != forkline::JobStatus::ok) {
            throw forkline::Error(std::string("process scan job ") +
                                  forkline::to_string(result->status) + ": " + std::string(data));
        }
        auto part = decode_owners(data);
        std::move(part.begin(), part.end(), std::back_inserter(owners));
    }
    return owners;
}

}  // namespace

PortScanner::PortScanner(unsigned workers) {
    if (workers == 0 || socket_tables_name_owners()) return;
    pool_.emplace(forkline::PoolOptions{
        .worker_program = forkline::find_worker("ports_worker"),
        .workers = workers,
        .queue_slots = 64,
        .max_result_size = kMaxAnswer,
        .claim_batch = 1,
        .label = "ports",
    });
}

std::vector<Listener> PortScanner::scan(const SocketFilter& filter) {
    std::vector<Listener> listeners;
    OwnerQuery query;
    for (auto& socket : read_listening_sockets(filter)) {
        if (socket.owner_pid >= 0)
            query.owners.push_back(static_cast<pid_t>(socket.owner_pid));
        else
            query.inodes.push_back(socket.inode);
        listeners.push_back({std::move(socket), {}});
    }
    if (listeners.empty()) return listeners;
    std::sort(query.inodes.begin(), query.inodes.end());
    std::sort(query.owners.begin(), query.owners.end());
    query.owners.erase(std::unique(query.owners.begin(), query.owners.end()), query.owners.end());
    if (!query.inodes.empty()) query.pids = list_pids();
    const auto owners = pool_ ? scan_with_pool(*pool_, query) : find_owners(query);
    for (auto& listener : listeners) {
        const auto& socket = listener.socket;
        for (const auto& owner : owners) {
            if (owner.process.pid == socket.owner_pid ||
                std::find(owner.inodes.begin(), owner.inodes.end(), socket.inode) !=
                    owner.inodes.end())
                listener.processes.push_back(owner.process);
        }
    }
    sort_listeners(listeners);
    return listeners;
}

void sort_listeners(std::vector<Listener>& listeners) {
    const auto key = [](const Listener& l) {
        return std::tie(l.socket.protocol, l.socket.port, l.socket.family, l.socket.address);
    };
    std::stable_sort(listeners.begin(), listeners.end(),
                     [&](const Listener& a, const Listener& b) { return key(a) < key(b); });
    for (auto& listener : listeners) {
        std::sort(listener.processes.begin(), listener.processes.end(),
                  [](const ProcessInfo& a, const ProcessInfo& b) { return a.pid < b.pid; });
    }
}

}  // namespace ports
