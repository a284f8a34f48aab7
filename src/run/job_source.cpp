#include "job_source.hpp"

#include "input_ready.hpp"

namespace run {

std::string command_text(const JobSpec& spec, unsigned slot) {
    if (spec.command_template == nullptr) return spec.command;
    return spec.command_template->expand(spec.arguments, spec.seq, slot);
}

std::string error_prefix(const JobSpec& spec) {
    return spec.line != 0 ? "line " + std::to_string(spec.line) + ": "
                          : "job " + std::to_string(spec.seq) + ": ";
}

std::optional<JobSpec> JobList::next() {
    if (next_ == jobs_.size()) return std::nullopt;
    return counted(std::move(jobs_[next_++]));
}

ReadAhead::ReadAhead(JobStream& jobs, std::size_t limit) : jobs_(jobs) {
    while (ahead_.size() < limit) {
        auto job = jobs_.next();
        if (!job) break;
        ahead_.push_back(std::move(*job));
    }
}

std::optional<JobSpec> ReadAhead::next() {
    if (next_ < ahead_.size()) {
        auto job = std::move(ahead_[next_++]);
        if (next_ == ahead_.size()) ahead_.clear(), next_ = 0;
        return counted(std::move(job));
    }
    auto job = jobs_.next();
    if (job) return counted(std::move(*job));
    return std::nullopt;
}

std::optional<JobSpec> next_waiting(JobStream& jobs, const std::function<void()>& before_waiting) {
    while (true) {
        if (auto job = jobs.next()) return job;
        if (jobs.ended()) return std::nullopt;
        if (before_waiting) before_waiting();
        const int fd = jobs.wait_fd();
        input_ready(fd, fd < 0 ? 100 : -1);
    }
}

}  // namespace run
