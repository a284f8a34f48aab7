// How a worker tells its supervisor which process group its current job runs, so that a
// supervisor that sees the worker die can kill what the job started (grandchildren have
// no PR_SET_PDEATHSIG of ours). The record is the worker's own word in the segment
// (RingHeader::job_group): one atomic store per change, written by that worker only.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>

namespace forkline {

// Set by the worker loop to its own record for its lifetime; null outside a worker.
void record_job_groups_in(std::atomic<std::int32_t>* record);

// The record of this worker (null outside a worker): spawn() stores a pipeline's new group
// there from the child itself, before its exec (SpawnOptions::group_record).
std::atomic<std::int32_t>* job_group_record();

// run_pipeline() calls these around a pipeline's life. Outside a worker they do nothing.
// With several pipelines at once in one job (threads), the record holds the latest.
void job_group_started(pid_t group);
void job_group_ended(pid_t group);

}  // namespace forkline
