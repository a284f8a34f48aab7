// The worker loop on a segment descriptor: behind serve() (descriptor and index from the
// environment) and behind in-process workers, which a pool forks without exec.
#pragma once

#include <atomic>
#include <cstdint>
#include <forkline/native_handle.hpp>
#include <forkline/serve.hpp>

namespace forkline {

// Runs `init` (if any) with the worker's index, attaches to the segment behind `segment_fd`
// (closing it), serves as worker `index` until the sentinel or its retirement
// (max_jobs_per_worker), waking the supervisor through `wake_fd` (its eventfd, Windows: its
// event; kNoNativeHandle: none). Returns the worker's exit code; errors go to stderr.
int serve_segment(const JobHandler& handler, NativeHandle segment_fd, std::uint32_t index,
                  NativeHandle wake_fd, const WorkerInit& init = {});

// serve_{posix,windows}.cpp: a worker process's OS calls.
// The handle inherited under the number `value` (FORKLINE_WAKE_FD), kept from what this
// worker starts (POSIX: a close-on-exec copy, the inherited fd closed; Windows: no longer
// inheritable).
NativeHandle keep_inherited_handle(std::uint64_t value);
// The segment handle passed as `value` (FORKLINE_SEGMENT_FD).
NativeHandle inherited_segment(std::uint64_t value);
void close_native_handle(NativeHandle handle);
std::int32_t this_process_id();
// Where pipelines a job runs record their process group (POSIX; Windows: none, the
// worker's Job Object holds them).
void record_job_groups(std::atomic<std::int32_t>* record);

}  // namespace forkline
