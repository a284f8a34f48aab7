// The process group of one run_pipeline() call, from its first stage to its end: recorded
// for the supervisor while it runs (job_group_record.hpp), and ended when the pipeline is
// (leftover_processes.hpp), on every path out, exceptions included. The policy it enforces
// is documented in include/forkline/pipeline.hpp ("Processes a pipeline starts").
#pragma once

#include <sys/types.h>

#include <chrono>

namespace forkline {

class PipelineGroup {
  public:
    explicit PipelineGroup(std::chrono::nanoseconds grace) : grace_(grace) {}
    ~PipelineGroup() { end(); }
    PipelineGroup(const PipelineGroup&) = delete;
    PipelineGroup& operator=(const PipelineGroup&) = delete;

    // The group's id: the first stage started.
    void started(pid_t group);
    pid_t id() const { return group_; }
    // Whatever of the group still runs gets SIGTERM, the grace period, then SIGKILL.
    void end();

  private:
    std::chrono::nanoseconds grace_;
    pid_t group_ = 0;  // 0: no stage started yet, or ended
};

}  // namespace forkline
