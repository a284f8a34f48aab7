// What the pool tests with test_worker share: the pool's options, and a count of every
// job's results by id (each must come exactly once, whatever killed what).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <forkline/pool.hpp>
#include <vector>

#include "test_job.hpp"

namespace test_support {

inline forkline::PoolOptions test_worker_pool(unsigned workers) {
    return {.worker_program = TEST_WORKER_PATH,
            .workers = workers,
            .max_job_size = sizeof(TestJob),
            .max_result_size = 64};
}

// Counts each id's results and keeps its last status; a test's own tally adds the check of
// an ok result's value.
struct ResultCount {
    std::vector<int> seen;
    std::vector<forkline::JobStatus> status;
    explicit ResultCount(std::size_t jobs) : seen(jobs, 0), status(jobs) {}
    void count(const forkline::JobResult& r) {
        REQUIRE(r.id < seen.size());
        ++seen[r.id];
        status[r.id] = r.status;
    }
    bool each_exactly_once() const {
        return std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; });
    }
};

}  // namespace test_support
