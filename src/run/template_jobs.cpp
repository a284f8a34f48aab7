#include "template_jobs.hpp"

namespace run {

TemplateJobs::TemplateJobs(std::string command_template, ArgumentRecords records,
                           std::size_t max_args)
    : template_(std::make_shared<const std::string>(std::move(command_template))),
      records_(std::move(records)),
      max_args_(max_args) {}

JobSpec TemplateJobs::take_batch() {
    auto job = std::exchange(batch_, JobSpec{});
    job.command_template = template_;
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
        if (batch_.arguments.empty()) batch_.line = record->line;
        batch_.arguments.push_back(std::move(record->columns));
        if (batch_.arguments.size() == max_args_) return take_batch();
    }
    if (records_.ended() && !batch_.arguments.empty()) return take_batch();
    return std::nullopt;
}

}  // namespace run
