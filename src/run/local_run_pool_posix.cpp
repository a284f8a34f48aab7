#include "local_run_pool.hpp"

namespace run {

const bool kPoolGuardsJobs = true;

}  // namespace run
