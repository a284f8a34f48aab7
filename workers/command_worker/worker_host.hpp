// A worker host of a Redis run (forkline worker --redis, forkline run --redis -j N): a job
// of such a run writes its output into files of this process's own (outputs of any size
// stay out of memory), sent back inline when small, else in chunks through Redis; and it is
// not started once the run asked for no new starts. Windows has no Redis client: there
// connect_worker_host() refuses.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "command_job.hpp"
#include "job_output.hpp"

namespace command_worker {

class WorkerHost {
  public:
    virtual ~WorkerHost() = default;

    // The name the host's results carry.
    virtual const std::string& name() const = 0;
    // The run (its key base, CommandJob::output_key) asked for no new starts.
    virtual bool stop_requested(const std::string& output_key) = 0;
    // The files a job writes into (the same ones, emptied, job after job).
    virtual JobOutputFiles output_files() = 0;
    // The job ended: its output, in `files`, goes back inline when it fits in `result`, else
    // in chunks through Redis, unless it exceeds the job's max_output (then the job fails
    // with a message instead of its output). Returns the result's size.
    virtual std::size_t send_result(run::CommandOutcome outcome, const run::CommandJob& job,
                                    const JobOutputFiles& files, std::span<std::byte> result) = 0;
};

// `name`: the host's; `redis_url`: the run's server; `directory`: where the output files go.
std::unique_ptr<WorkerHost> connect_worker_host(std::string name, std::string redis_url,
                                                const std::filesystem::path& directory);

}  // namespace command_worker
