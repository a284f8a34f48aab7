// The key schema (docs/redis.md): every key of a run is forkline:{QUEUE}:{RUN}:NAME, so
// concurrent runs and the leftovers of crashed ones never mix.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace forkline::redis {

// Keys of a crashed run vanish this long after its last write.
inline constexpr std::chrono::milliseconds kLeftoverTtl{3'600'000};
// A worker silent this long is reaped; it beats every third of it.
inline constexpr std::chrono::milliseconds kWorkerTtl{5'000};

// Throws Error unless `queue` is 1..64 of [A-Za-z0-9_.-] (it is part of every key).
std::string checked_queue_name(std::string_view queue);

// forkline:{QUEUE}:runs — sorted set of the open runs, oldest first: where workers look.
inline std::string runs_key(const std::string& queue) {
    return "forkline:" + queue + ":runs";
}

struct RunKeys {
    RunKeys(const std::string& queue, const std::string& run)
        : base("forkline:" + queue + ":" + run + ":") {}

    std::string base;
    std::string alive() const { return base + "alive"; }       // supervisor's heartbeat (PX)
    std::string done() const { return base + "done"; }         // set: no new workers
    std::string jobs() const { return base + "jobs"; }         // list: LPUSH in, RIGHT out
    std::string results() const { return base + "results"; }   // stream: field r
    std::string workers() const { return base + "workers"; }   // set: registered, alive
    std::string dead() const { return base + "dead"; }         // set: reaped workers
    std::string signals() const { return base + "signals"; }   // list: signal_workers()
    std::string processing(const std::string& worker) const {  // list: jobs a worker holds
        return base + "processing:" + worker;
    }
    std::string heartbeat(const std::string& worker) const {  // a worker's heartbeat (PX)
        return base + "heartbeat:" + worker;
    }
};

}  // namespace forkline::redis
