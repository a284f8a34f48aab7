#include "output_tag.hpp"

#include "placeholders.hpp"

namespace run {

// The one place that expands a tag: the template code's plain-text expansion.
std::string job_tag(const std::string& tagstring, const JobSpec& job, unsigned slot) {
    static_cast<void>(slot);  // {%} comes with the template rewrite (t13-template)
    std::vector<std::string> arguments;
    for (const auto& record : job.arguments)
        arguments.insert(arguments.end(), record.begin(), record.end());
    if (job.arguments.empty()) arguments.push_back(job.command);
    return expand_text(tagstring, arguments, job.seq) + '\t';
}

void LinePrefixer::add(std::string_view block, std::string& out) {
    if (prefix_.empty()) {
        out += block;
        return;
    }
    while (!block.empty()) {
        if (line_start_) out += prefix_;
        const auto newline = block.find('\n');
        const auto end = newline == std::string_view::npos ? block.size() : newline + 1;
        out += block.substr(0, end);
        line_start_ = newline != std::string_view::npos;
        block.remove_prefix(end);
    }
}

}  // namespace run
