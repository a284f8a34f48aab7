// -j / -P / --jobs / --max-procs, as GNU parallel spells it: N, N% of the cores, +N and -N
// (the cores plus or minus N, at least 1), and 0: as many as the system allows.
#pragma once

#include <string>

namespace run {

// The jobs at once that `text` asks for with `cores` cores. Throws cli::UsageError naming
// `option` for anything else (GNU's "-j FILE" included) or for more than cli::kMaxWorkers.
unsigned parse_job_slots(const std::string& option, const std::string& text, unsigned cores);

// -j 0: each job slot is a worker process (one fd here, its pidfd; two to be safe) and at
// least one process of its own job, so: cli::kMaxWorkers at most, within this process's
// open-file limit and the processes RLIMIT_NPROC still allows this user. At least 1.
unsigned max_job_slots();

}  // namespace run
