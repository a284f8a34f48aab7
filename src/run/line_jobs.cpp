#include "line_jobs.hpp"

#include <nlohmann/json.hpp>

#include "option_numbers.hpp"
#include "tool.hpp"

namespace run {

JobSpec job_from_json(const std::string& line, std::size_t line_number) {
    JobSpec job;
    job.line = line_number;
    const auto fail = [&](const std::string& why) {
        job.error = "line " + std::to_string(line_number) + ": " + why;
        return job;
    };
    const auto object = nlohmann::json::parse(line, nullptr, false);
    if (object.is_discarded() || !object.is_object()) return fail("not a JSON object");
    const auto cmd = object.find("cmd");
    if (cmd == object.end() || !cmd->is_string() || cmd->get<std::string>().empty()) {
        return fail("\"cmd\" must be a non-empty string");
    }
    job.command = cmd->get<std::string>();
    if (const auto timeout = object.find("timeout"); timeout != object.end()) {
        if (!timeout->is_number() || timeout->get<double>() < 0 ||
            timeout->get<double>() > cli::kMaxSeconds)
            return fail("\"timeout\" must be a number of seconds from 0 to 1000000");
        job.timeout = timeout->get<double>();
    }
    if (const auto input = object.find("input"); input != object.end()) {
        if (!input->is_string()) return fail("\"input\" must be a string");
        job.input = input->get<std::string>();
    }
    for (const auto& [key, value] : object.items()) {
        if (key != "cmd" && key != "timeout" && key != "input")
            return fail("unknown key " + cli::quoted(key));
    }
    return job;
}

LineJobs::LineJobs(RecordReader lines, Format format) : lines_(std::move(lines)), format_(format) {}

std::optional<JobSpec> LineJobs::next() {
    while (auto line = lines_.next()) {
        auto& text = line->text;
        if (line->too_long) {
            JobSpec failed;
            failed.line = line->number;
            failed.error = "line " + std::to_string(line->number) + ": longer than 1 MiB";
            return numbered(std::move(failed));
        }
        if (format_ == Format::json_lines) {
            if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
            return numbered(job_from_json(text, line->number));
        }
        if (!text.empty() && text.back() == '\r') text.pop_back();
        // A command file may have comments.
        const auto first = text.find_first_not_of(" \t");
        if (first == std::string::npos || text[first] == '#') continue;
        JobSpec job;
        job.command = std::move(text);
        job.line = line->number;
        return numbered(std::move(job));
    }
    return std::nullopt;
}

}  // namespace run
