// One started pipeline's platform half, behind Pipeline's handle (pipeline.cpp): the
// stages wired and started, then stepped to their end. pipeline_posix.cpp (pipes, a process
// group, pidfds in an epoll set) and pipeline_windows.cpp (CreatePipe, a Job Object, one
// thread per pipe) each define it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <forkline/pipeline.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "exit_status.hpp"

namespace forkline {

class PipelineRun {
  public:
    virtual ~PipelineRun() = default;
    // Does what is ready, waiting up to `timeout` for something (-1: no limit). True once
    // the pipeline has ended: then every field of the result is set.
    virtual bool step(std::chrono::milliseconds timeout) = 0;
    virtual int fd() const = 0;               // Pipeline::fd()
    virtual pid_t process_group() const = 0;  // Pipeline::process_group()
    virtual void kill(int signal) = 0;        // Pipeline::kill()
};

// Starts the stages (validated); the run fills `result`, which outlives it, as they end.
std::unique_ptr<PipelineRun> start_pipeline_run(const std::vector<Stage>& stages,
                                                const PipelineOptions& options,
                                                PipelineResult& result);

// The checks every platform makes before starting anything (throws Error).
void validate_pipeline(const std::vector<Stage>& stages, const PipelineOptions& options);
// At the end: each stage's status (none: not started) and the pipeline's fields.
void record_end(PipelineResult& result, const std::vector<std::optional<ExitStatus>>& statuses,
                bool pipefail, std::chrono::steady_clock::time_point started);

}  // namespace forkline
