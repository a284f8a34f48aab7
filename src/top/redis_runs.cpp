#include "redis_runs.hpp"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "connection.hpp"
#include "json_view.hpp"
#include "keys.hpp"
#include "printable.hpp"
#include "text_fields.hpp"

namespace top {

namespace redis = forkline::redis;

namespace {

constexpr std::chrono::seconds kGiveUp{5};
constexpr std::string_view kRunsSuffix = ":runs";

double unix_ms() {
    return std::chrono::duration<double, std::milli>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::vector<std::string> strings_of(const redis::Reply& reply) {
    std::vector<std::string> items;
    for (std::size_t i = 0; i < reply.size(); ++i) items.emplace_back(redis::str_of(reply.at(i)));
    return items;
}

// "J<id>:<attempt>:<payload>" (docs/redis.md): the id.
std::optional<std::uint64_t> job_id_of(std::string_view entry) {
    if (!entry.starts_with('J')) return std::nullopt;
    entry.remove_prefix(1);
    return ports::parse_number<std::uint64_t>(entry.substr(0, entry.find(':')));
}

// HOST-PID-RANDOM: the host is what comes before the last two dashes.
std::string host_of(const std::string& worker) {
    const auto last = worker.rfind('-');
    if (last == std::string::npos || last == 0) return worker;
    const auto before = worker.rfind('-', last - 1);
    return before == std::string::npos ? worker : worker.substr(0, before);
}

}  // namespace

struct RedisRuns::Impl {
    Impl(const std::string& url, const std::string& queue)
        : connection(redis::parse_url(url), kGiveUp) {
        if (!queue.empty()) queues.push_back(redis::checked_queue_name(queue));
    }

    // Every forkline:Q:runs key: the queues in use.
    std::vector<std::string> find_queues() {
        std::vector<std::string> found;
        std::string cursor = "0";
        do {
            const auto reply =
                connection.run({"SCAN", cursor, "MATCH", "forkline:*:runs", "COUNT", "1000"});
            cursor = std::string(redis::str_of(reply.at(0)));
            const auto& keys = reply.at(1);
            for (std::size_t i = 0; i < keys.elements; ++i) {
                const auto key = redis::str_of(*keys.element[i]);
                const auto prefix = std::string_view("forkline:").size();
                found.emplace_back(key.substr(prefix, key.size() - prefix - kRunsSuffix.size()));
            }
        } while (cursor != "0");
        return found;
    }

    RedisRun look_at_run(const std::string& queue, const std::string& run, double started_ms) {
        const redis::RunKeys keys(queue, run);
        RedisRun shown;
        shown.queue = queue;
        shown.run = run;
        shown.age_s = std::max(0.0, (unix_ms() - started_ms) / 1000);
        const auto replies = connection.pipeline({{"EXISTS", keys.alive()},
                                                  {"EXISTS", keys.done()},
                                                  {"LLEN", keys.jobs()},
                                                  {"XLEN", keys.results()},
                                                  {"SMEMBERS", keys.workers()},
                                                  {"SMEMBERS", keys.dead()}});
        shown.supervisor_alive = replies[0].integer() != 0;
        shown.done = replies[1].integer() != 0;
        shown.queued = static_cast<std::uint64_t>(replies[2].integer());
        shown.results = static_cast<std::uint64_t>(replies[3].integer());
        shown.dead = strings_of(replies[5]);
        for (const auto& name : strings_of(replies[4])) {
            const auto about = connection.pipeline(
                {{"PTTL", keys.heartbeat(name)}, {"LRANGE", keys.processing(name), "0", "-1"}});
            RedisWorker worker;
            worker.name = name;
            worker.host = host_of(name);
            const auto left_ms = about[0].integer();
            if (left_ms >= 0) {
                worker.heartbeat_age_s = std::max<double>(
                    0, static_cast<double>(redis::kWorkerTtl.count() - left_ms) / 1000);
            }
            for (const auto& entry : strings_of(about[1])) {
                if (const auto id = job_id_of(entry)) worker.jobs.push_back(*id);
            }
            shown.workers.push_back(std::move(worker));
        }
        return shown;
    }

    redis::Connection connection;
    std::vector<std::string> queues;  // given; else found at each look
};

RedisRuns::RedisRuns(const std::string& url, const std::string& queue)
    : impl_(std::make_unique<Impl>(url, queue)) {}
RedisRuns::~RedisRuns() = default;

std::vector<RedisRun> RedisRuns::look() {
    std::vector<RedisRun> runs;
    const auto queues = impl_->queues.empty() ? impl_->find_queues() : impl_->queues;
    for (const auto& queue : queues) {
        const auto open =
            impl_->connection.run({"ZRANGE", redis::runs_key(queue), "0", "-1", "WITHSCORES"});
        for (std::size_t i = 0; i + 1 < open.size(); i += 2) {
            // Scores are whole milliseconds (docs/redis.md).
            const auto score = redis::str_of(open.at(i + 1));
            const auto started = static_cast<double>(
                ports::parse_number<std::int64_t>(score.substr(0, score.find('.'))).value_or(0));
            runs.push_back(
                impl_->look_at_run(queue, std::string(redis::str_of(open.at(i))), started));
        }
    }
    return runs;
}

std::vector<TextLine> text_view(const std::vector<RedisRun>& runs) {
    std::vector<TextLine> lines;
    if (runs.empty()) lines.push_back({"no forkline run is open on this Redis server"});
    char line[512];
    for (const auto& run : runs) {
        if (&run != &runs.front()) lines.push_back({""});
        std::snprintf(line, sizeof line,
                      "queue %s run %s  up %s  supervisor %s%s  %" PRIu64 " queued, %" PRIu64
                      " results, %zu workers, %zu dead",
                      cli::printable(run.queue).c_str(), run.run.c_str(),
                      short_duration(run.age_s).c_str(), run.supervisor_alive ? "alive" : "gone",
                      run.done ? ", done" : "", run.queued, run.results, run.workers.size(),
                      run.dead.size());
        lines.push_back({line});
        std::snprintf(line, sizeof line, "%-24s %-40s %9s  %s", "HOST", "WORKER", "HEARTBEAT",
                      "JOBS HELD");
        lines.push_back({line});
        for (const auto& worker : run.workers) {
            std::string jobs;
            for (const auto id : worker.jobs) {
                if (!jobs.empty()) jobs += ' ';
                jobs += std::to_string(id);
            }
            const auto beat = worker.heartbeat_age_s
                                  ? short_duration(*worker.heartbeat_age_s) + " ago"
                                  : std::string("expired");
            std::snprintf(line, sizeof line, "%-24s %-40s %9s  %s",
                          cli::printable(worker.host).c_str(), cli::printable(worker.name).c_str(),
                          beat.c_str(), jobs.empty() ? "-" : jobs.c_str());
            lines.push_back({line});
        }
        for (const auto& name : run.dead) {
            std::snprintf(line, sizeof line, "%-24s %-40s %9s  %s",
                          cli::printable(host_of(name)).c_str(), cli::printable(name).c_str(),
                          "dead", "-");
            lines.push_back({line});
        }
    }
    return lines;
}

nlohmann::json json_view(const std::vector<RedisRun>& runs) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& run : runs) {
        nlohmann::json workers = nlohmann::json::array();
        for (const auto& w : run.workers) {
            workers.push_back({{"name", w.name},
                               {"host", w.host},
                               {"heartbeat_age_s", or_null(w.heartbeat_age_s)},
                               {"jobs", w.jobs}});
        }
        all.push_back({{"queue", run.queue},
                       {"run", run.run},
                       {"age_s", run.age_s},
                       {"supervisor_alive", run.supervisor_alive},
                       {"done", run.done},
                       {"queued", run.queued},
                       {"results", run.results},
                       {"workers", workers},
                       {"dead", run.dead}});
    }
    return {{"time", static_cast<double>(std::time(nullptr))}, {"snapshot", true}, {"runs", all}};
}

}  // namespace top
