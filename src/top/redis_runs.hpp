// A multi-host run as Redis shows it (docs/redis.md, src/redis/keys.hpp): per run of a
// queue, its supervisor's heartbeat, the jobs waiting, the results, and each worker host's
// workers with the jobs they hold and their heartbeats; the workers reaped as dead. Read
// with plain reads (SCAN, ZRANGE, SMEMBERS, LRANGE, PTTL): nothing is written.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "text_view.hpp"

namespace top {

struct RedisWorker {
    std::string name;  // HOST-PID-RANDOM
    std::string host;
    std::optional<double> heartbeat_age_s;  // since its last beat; none: expired
    std::vector<std::uint64_t> jobs;        // the ids of the jobs it holds
};

struct RedisRun {
    std::string queue;
    std::string run;                // the run's hex id
    double age_s = 0;               // since it opened
    bool supervisor_alive = false;  // its heartbeat key exists
    bool done = false;              // every result is in
    std::uint64_t queued = 0;       // jobs waiting in the list
    std::uint64_t results = 0;      // entries in the result stream (trimmed once read, in batches)
    std::vector<RedisWorker> workers;
    std::vector<std::string> dead;  // workers reaped
};

class RedisRuns {
  public:
    // `queue` empty: every queue found on the server. Throws forkline::Error (bad URL,
    // server unreachable within a few seconds).
    RedisRuns(const std::string& url, const std::string& queue);
    ~RedisRuns();
    RedisRuns(const RedisRuns&) = delete;
    RedisRuns& operator=(const RedisRuns&) = delete;

    std::vector<RedisRun> look();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

std::vector<TextLine> text_view(const std::vector<RedisRun>& runs);
nlohmann::json json_view(const std::vector<RedisRun>& runs);

}  // namespace top
