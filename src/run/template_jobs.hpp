// Jobs of a command template: the records of its input sources, grouped by the batcher (one
// per job by default; -n, -N, -m, -X). Expanded only when started (command_text), so that
// {%} knows its slot.
#pragma once

#include "argument_batches.hpp"
#include "argument_records.hpp"
#include "job_source.hpp"

namespace run {

class TemplateJobs final : public JobStream {
  public:
    // `command` must outlive the jobs (they point at it).
    TemplateJobs(const CommandTemplate& command, ArgumentRecords records, BatchSettings batching);

    std::optional<JobSpec> next() override;
    bool ended() const override { return records_.ended() && pending_ == 0; }
    int wait_fd() const override { return records_.wait_fd(); }

  private:
    JobSpec job_of(Arguments batch);

    const CommandTemplate& command_;
    ArgumentRecords records_;
    ArgumentBatcher batcher_;
    std::size_t pending_ = 0;     // records given to the batcher and not yet in a job
    std::size_t first_line_ = 0;  // the line of the first of them
};

}  // namespace run
