// Results in submission order, with bounded memory: what Python's Pool.imap() gives.
//
//   forkline::Pool pool({.worker_program = forkline::find_worker("square_worker")});
//   forkline::map_ordered(pool, numbers, [](const forkline::OwnedJobResult& r) {
//       ... r is the result of the job submitted r.id-th, in the order of `numbers` ...
//   });
//
// A pool delivers results in completion order. These keep at most `window` jobs in flight
// and hold back a result that finished early until every job before it is delivered, so
// memory stays bounded by `window` results whatever the input's length. A slow job holds
// the others back (head-of-line): give a window of a few jobs per worker.
//
// The pool must have no result callback (results are taken with next_result()) and
// nothing in flight when they start; else they throw Error. Results of failed jobs come
// in order too: check `status`.
#pragma once

#include <cstddef>
#include <deque>
#include <forkline/pool.hpp>
#include <map>
#include <optional>
#include <ranges>
#include <utility>

namespace forkline {

// The building block of map_ordered(), for callers that drive submission themselves.
// Not thread-safe, like the pool it uses; it must not outlive `pool`.
class OrderedResults {
  public:
    // `window`: jobs in flight at most; 0: four per worker. Throws Error if `pool` has
    // jobs in flight.
    explicit OrderedResults(Pool& pool, std::size_t window = 0);

    // True while `window` jobs are in flight: take a result with next() before submitting.
    bool full() const { return order_.size() >= window_; }

    // Submits `job` through Pool::submit() (any job it accepts). Throws Error when full()
    // (a programming error: the window would not bound memory any more), or as submit().
    template <typename Job>
    JobId submit(const Job& job) {
        refuse_when_full();
        const JobId id = pool_.submit(job);
        order_.push_back(id);
        return id;
    }

    // The result of the oldest job not yet returned, waiting for it; nullopt when every
    // submitted job's result was returned.
    std::optional<OwnedJobResult> next();

  private:
    void refuse_when_full() const;

    Pool& pool_;
    std::size_t window_;
    std::deque<JobId> order_;                // submitted, not yet returned, oldest first
    std::map<JobId, OwnedJobResult> early_;  // finished before an older job
};

// Submits every element of `jobs` (each anything Pool::submit() accepts) and calls
// `on_result(const OwnedJobResult&)` for each result in the order of `jobs`, with at most
// `window` jobs in flight (0: four per worker). An exception from on_result propagates;
// the jobs still in flight stay in the pool (next_result() returns them, wait() ends them).
template <std::ranges::input_range Jobs, typename OnResult>
void map_ordered(Pool& pool, Jobs&& jobs, OnResult&& on_result, std::size_t window = 0) {
    OrderedResults ordered(pool, window);
    for (auto&& job : jobs) {
        while (ordered.full()) on_result(*ordered.next());
        ordered.submit(job);
    }
    while (auto result = ordered.next()) on_result(*result);
}

}  // namespace forkline
