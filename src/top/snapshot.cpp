#include "snapshot.hpp"

#include <algorithm>
#include <tuple>

namespace top {

const char* to_string(WorkerState state) {
    switch (state) {
        case WorkerState::starting:
            return "starting";
        case WorkerState::idle:
            return "idle";
        case WorkerState::running:
            return "running";
        case WorkerState::dead:
            return "dead";
    }
    return "unknown";
}

const char* to_string(SortOrder order) {
    switch (order) {
        case SortOrder::elapsed:
            return "elapsed";
        case SortOrder::cpu:
            return "cpu";
        case SortOrder::memory:
            return "memory";
        case SortOrder::index:
            return "index";
    }
    return "unknown";
}

SortOrder next(SortOrder order) {
    switch (order) {
        case SortOrder::elapsed:
            return SortOrder::cpu;
        case SortOrder::cpu:
            return SortOrder::memory;
        case SortOrder::memory:
            return SortOrder::index;
        case SortOrder::index:
            return SortOrder::elapsed;
    }
    return SortOrder::elapsed;
}

void sort_workers(PoolSnapshot& snapshot, SortOrder order) {
    // Running jobs before idle workers, then the key, descending; the index breaks ties.
    const auto key = [order](const WorkerSnapshot& w) {
        const bool running = w.state == WorkerState::running;
        double value = 0;
        switch (order) {
            case SortOrder::elapsed:
                value = running ? w.elapsed_s : -1;
                break;
            case SortOrder::cpu:
                value = w.worker.cpu_percent + w.job.cpu_percent;
                break;
            case SortOrder::memory:
                value = static_cast<double>(w.worker.rss_bytes + w.job.rss_bytes);
                break;
            case SortOrder::index:
                value = -static_cast<double>(w.index);
                break;
        }
        return std::tuple(value, -static_cast<double>(w.index));
    };
    std::stable_sort(
        snapshot.workers.begin(), snapshot.workers.end(),
        [&](const WorkerSnapshot& a, const WorkerSnapshot& b) { return key(a) > key(b); });
}

}  // namespace top
