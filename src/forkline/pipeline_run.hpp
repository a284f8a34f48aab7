// One started pipeline's platform half, behind Pipeline's handle (pipeline.cpp): the
// stages wired and started, then stepped to their end. pipeline_posix.cpp (pipes, a process
// group, pidfds in an epoll set) and pipeline_windows.cpp (CreatePipe, a Job Object, one
// thread per pipe) each define it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <forkline/pipeline.hpp>
#include <memory>
#include <vector>

namespace forkline {

class PipelineRun {
  public:
    // Starts the stages (validated); fills `result` as they run and end. `result` outlives it.
    PipelineRun(const std::vector<Stage>& stages, const PipelineOptions& options,
                PipelineResult& result);
    ~PipelineRun();
    PipelineRun(const PipelineRun&) = delete;
    PipelineRun& operator=(const PipelineRun&) = delete;

    // Does what is ready, waiting up to `timeout` for something (-1: no limit). True once
    // the pipeline has ended: then every field of the result is set.
    bool step(std::chrono::milliseconds timeout);
    int fd() const;               // Pipeline::fd()
    pid_t process_group() const;  // Pipeline::process_group()
    void kill(int signal);        // Pipeline::kill()

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// The checks every platform makes before starting anything (throws Error).
void validate_pipeline(const std::vector<Stage>& stages, const PipelineOptions& options);
// The pipeline's status from its stages': 124 when timed out, pipefail's rule, else the last.
int pipeline_exit_code(const PipelineResult& result, bool pipefail);

}  // namespace forkline
