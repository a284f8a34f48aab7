// What the supervisor tells `forkline top` (layout::PoolCounters): its summary, copied into
// the segment with relaxed stores once per step of supervision (only `submitted` is stored
// by submit() itself, one store), so the job path pays next to nothing for it. Only this
// process writes these words.
#include <algorithm>
#include <fstream>
#include <string>

#include "pool_impl.hpp"

namespace forkline {

namespace {

// This program's name as the kernel shows it (/proc/self/comm), for a pool without a label.
std::string program_name() {
    std::ifstream comm("/proc/self/comm");
    std::string name;
    std::getline(comm, name);
    return name.empty() ? "forkline" : name;
}

}  // namespace

void Pool::Impl::init_counters() {
    const auto kind = options.label.empty() ? program_name() : options.label;
    const auto size = std::min(kind.size(), layout::kKindSize - 1);
    std::copy_n(kind.data(), size, counters.kind);
    counters.kind[size] = '\0';
    counters.started_ns.store(std::chrono::nanoseconds(started.time_since_epoch()).count(),
                              std::memory_order_relaxed);
}

void Pool::Impl::publish_counters() {
    const auto store = [](std::atomic<std::uint64_t>& word, std::uint64_t value) {
        word.store(value, std::memory_order_relaxed);
    };
    store(counters.submitted, summary.submitted);
    store(counters.succeeded, summary.succeeded);
    store(counters.failed, summary.failed);
    store(counters.worker_died, summary.worker_died);
    store(counters.timed_out, summary.timed_out);
    store(counters.cancelled, summary.cancelled);
    store(counters.requeued, queue.requeued());
    store(counters.worker_deaths, summary.worker_deaths);
    store(counters.respawns,
          worker_starts - std::min<std::uint64_t>(worker_starts, workers.size()));
    store(counters.total_jobs, total_jobs);
}

}  // namespace forkline
