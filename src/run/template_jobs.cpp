#include "template_jobs.hpp"

namespace run {

TemplateJobs::TemplateJobs(const CommandTemplate& command, ArgumentRecords records,
                           BatchSettings batching)
    : command_(command), records_(std::move(records)), batcher_(command, batching) {}

JobSpec TemplateJobs::job_of(Arguments batch) {
    pending_ -= batch.size();
    JobSpec job;
    job.line = first_line_;
    job.arguments = std::move(batch);
    job.command_template = &command_;
    return numbered(std::move(job));
}

std::optional<JobSpec> TemplateJobs::next() {
    while (auto record = records_.next()) {
        if (!record->error.empty()) {
            JobSpec failed;
            failed.line = record->line;
            failed.error = std::move(record->error);
            return numbered(std::move(failed));
        }
        if (++pending_ == 1) first_line_ = record->line;
        if (auto batch = batcher_.add(std::move(record->columns))) {
            const auto line = record->line;
            auto job = job_of(std::move(*batch));
            if (pending_ > 0) first_line_ = line;  // this record began the next batch
            return job;
        }
    }
    if (records_.ended()) {
        if (auto batch = batcher_.finish()) return job_of(std::move(*batch));
    }
    return std::nullopt;
}

}  // namespace run
