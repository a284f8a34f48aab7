// What every pool does with a result it delivers: count it in the summary, or keep a copy
// that owns its bytes (next_result). Shared by Pool and RedisPool.
#pragma once

#include <forkline/pool.hpp>
#include <string>
#include <vector>

namespace forkline {

inline void count_result(PoolSummary& summary, JobStatus status) {
    switch (status) {
        case JobStatus::ok:
            ++summary.succeeded;
            break;
        case JobStatus::failed:
            ++summary.failed;
            break;
        case JobStatus::worker_died:
            ++summary.worker_died;
            break;
        case JobStatus::timed_out:
            ++summary.timed_out;
            break;
        case JobStatus::cancelled:
            ++summary.cancelled;
            break;
    }
}

inline OwnedJobResult owned_result(const JobResult& r) {
    return {r.id,
            r.status,
            r.attempts,
            r.elapsed,
            std::vector<std::byte>(r.data.begin(), r.data.end()),
            r.worker_exit,
            std::string(r.exception_type)};
}

}  // namespace forkline
