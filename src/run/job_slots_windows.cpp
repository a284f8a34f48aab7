// max_job_slots() (job_slots.hpp) on Windows: no per-user process limit and no small
// handle limit to stay within, so cli::kMaxWorkers.
#include "job_slots.hpp"
#include "option_numbers.hpp"

namespace run {

unsigned max_job_slots() {
    return cli::kMaxWorkers;
}

}  // namespace run
