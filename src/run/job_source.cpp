#include "job_source.hpp"

#include <poll.h>

#include "placeholders.hpp"

namespace run {

std::string command_text(const JobSpec& spec, unsigned /*slot*/) {
    if (!spec.command_template) return spec.command;
    std::vector<std::string> words;  // today's expand(): every column of every record
    for (const auto& record : spec.arguments)
        words.insert(words.end(), record.begin(), record.end());
    return expand(*spec.command_template, words, spec.seq);
}

std::string where(const JobSpec& spec) {
    return spec.line != 0 ? "line " + std::to_string(spec.line) + ": "
                          : "job " + std::to_string(spec.seq) + ": ";
}

std::optional<JobSpec> next_waiting(JobStream& jobs, const std::function<void()>& before_waiting) {
    while (true) {
        if (auto job = jobs.next()) return job;
        if (jobs.ended()) return std::nullopt;
        if (before_waiting) before_waiting();
        pollfd input{.fd = jobs.wait_fd(), .events = POLLIN, .revents = 0};
        ::poll(&input, 1, input.fd < 0 ? 100 : -1);
    }
}

}  // namespace run
