// forkline::OrderedResults: a reorder buffer over Pool::next_result().
#include <forkline/ordered.hpp>

namespace forkline {

OrderedResults::OrderedResults(Pool& pool, std::size_t window)
    : pool_(pool), window_(window != 0 ? window : 4 * std::size_t{pool.worker_count()}) {
    // Results of jobs submitted before would be taken for ours.
    if (pool.in_flight() != 0) {
        throw Error("ordered results: the pool already has " + std::to_string(pool.in_flight()) +
                    " jobs in flight");
    }
}

void OrderedResults::refuse_when_full() const {
    if (full()) {
        throw Error("ordered results: " + std::to_string(window_) +
                    " jobs in flight already: take a result with next() first");
    }
}

std::optional<OwnedJobResult> OrderedResults::next() {
    if (order_.empty()) return std::nullopt;
    const JobId wanted = order_.front();
    // At most window_ results wait in early_: only our jobs are in flight.
    while (!early_.contains(wanted)) {
        auto result = pool_.next_result();
        if (!result)
            throw Error("ordered results: job " + std::to_string(wanted) + " has no result");
        const JobId id = result->id;
        early_.emplace(id, std::move(*result));
    }
    auto found = early_.find(wanted);
    OwnedJobResult result = std::move(found->second);
    early_.erase(found);
    order_.pop_front();
    return result;
}

}  // namespace forkline
