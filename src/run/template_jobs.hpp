// Jobs of a command template: each takes the next -n records of its input sources (one by
// default). Expanded only when started (command_text), so that {%} knows its slot.
#pragma once

#include <memory>

#include "argument_records.hpp"
#include "job_source.hpp"

namespace run {

class TemplateJobs final : public JobStream {
  public:
    TemplateJobs(std::string command_template, ArgumentRecords records, std::size_t max_args);

    std::optional<JobSpec> next() override;
    bool ended() const override { return records_.ended() && batch_.arguments.empty(); }
    int wait_fd() const override { return records_.wait_fd(); }

  private:
    JobSpec take_batch();

    std::shared_ptr<const std::string> template_;
    ArgumentRecords records_;
    std::size_t max_args_;
    JobSpec batch_;  // the records of the next job, not complete yet
};

}  // namespace run
