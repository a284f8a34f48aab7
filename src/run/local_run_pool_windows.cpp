#include "local_run_pool.hpp"

namespace run {

const bool kPoolGuardsJobs = false;  // the Job Objects do it

}  // namespace run
