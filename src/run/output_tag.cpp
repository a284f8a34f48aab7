#include "output_tag.hpp"

namespace run {

// The one place that expands a tag.
std::string job_tag(const CommandTemplate& tag, const JobSpec& job, unsigned slot) {
    try {
        return (job.arguments.empty() ? tag.expand_text({{job.command}}, job.seq, slot)
                                      : tag.expand_text(job.arguments, job.seq, slot)) +
               '\t';
    } catch (const ExpandError&) {  // the job itself fails the same way, and says why
        return "\t";
    }
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
