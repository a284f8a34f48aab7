#include "job_source.hpp"

#include <nlohmann/json.hpp>

#include "option_numbers.hpp"
#include "placeholders.hpp"
#include "tool.hpp"

namespace run {

namespace {

void number(std::vector<JobSpec>& jobs) {
    for (std::size_t i = 0; i < jobs.size(); ++i) jobs[i].seq = i + 1;
}

JobSpec from_json(const std::string& line, std::size_t line_number) {
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

}  // namespace

std::vector<JobSpec> jobs_from_arguments(const std::string& command_template,
                                         const std::vector<std::string>& args,
                                         std::size_t max_args) {
    std::vector<JobSpec> jobs;
    for (std::size_t i = 0; i < args.size(); i += max_args) {
        const std::vector<std::string> group(
            args.begin() + static_cast<std::ptrdiff_t>(i),
            args.begin() + static_cast<std::ptrdiff_t>(std::min(args.size(), i + max_args)));
        JobSpec job;
        job.command = expand(command_template, group, jobs.size() + 1);
        for (const auto& argument : group) job.arguments.push_back({argument});
        jobs.push_back(std::move(job));
    }
    number(jobs);
    return jobs;
}

std::vector<JobSpec> jobs_from_lines(std::istream& in,
                                     const std::optional<std::string>& command_template,
                                     std::size_t max_args) {
    std::vector<std::string> lines;
    std::vector<std::size_t> line_numbers;
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        // A command file may have comments (an argument line is taken as it is).
        const auto first = line.find_first_not_of(" \t");
        if (!command_template && (first == std::string::npos || line[first] == '#')) continue;
        lines.push_back(line);
        line_numbers.push_back(n);
    }
    if (command_template) return jobs_from_arguments(*command_template, lines, max_args);
    std::vector<JobSpec> jobs;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        JobSpec job;
        job.command = lines[i];
        job.line = line_numbers[i];
        jobs.push_back(std::move(job));
    }
    number(jobs);
    return jobs;
}

std::vector<JobSpec> jobs_from_json_lines(std::istream& in) {
    std::vector<JobSpec> jobs;
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        jobs.push_back(from_json(line, n));
    }
    number(jobs);
    return jobs;
}

}  // namespace run
