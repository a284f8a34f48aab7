// Pool::submit_future(): a job's result delivered to a std::promise instead of the callback.
#include "pool_impl.hpp"
#include "result_summary.hpp"

namespace forkline {

// True when `result` belonged to a submit_future() job: it went to that job's future.
bool Pool::Impl::fulfil_promise(const JobResult& result) {
    const auto found = promises.find(result.id);
    if (found == promises.end()) return false;
    found->second.set_value(owned_result(result));
    promises.erase(found);
    return true;
}

}  // namespace forkline
