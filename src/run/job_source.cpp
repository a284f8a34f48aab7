#include "job_source.hpp"

#include <nlohmann/json.hpp>

#include "option_numbers.hpp"
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

std::string command_text(const JobSpec& spec, unsigned slot) {
    if (spec.command_template == nullptr) return spec.command;
    return spec.command_template->expand(spec.arguments, spec.seq, slot);
}

std::string error_prefix(const JobSpec& spec) {
    return spec.line != 0 ? "line " + std::to_string(spec.line) + ": "
                          : "job " + std::to_string(spec.seq) + ": ";
}

namespace {

// Jobs of `command` from records that come one at a time, each with its line (0 for :::).
class TemplateJobs {
  public:
    TemplateJobs(const CommandTemplate& command, const BatchSettings& batching)
        : command_(command), batcher_(command, batching) {}

    void add(std::string record, std::size_t line) {
        if (++pending_ == 1) first_line_ = line;
        if (auto batch = batcher_.add({std::move(record)})) {
            push(std::move(*batch));
            if (pending_ > 0) first_line_ = line;  // this record began the next batch
        }
    }

    std::vector<JobSpec> finish() {
        if (auto batch = batcher_.finish()) push(std::move(*batch));
        return std::move(jobs_);
    }

  private:
    void push(Arguments batch) {
        pending_ -= batch.size();
        JobSpec job;
        job.seq = jobs_.size() + 1;
        job.line = first_line_;
        job.arguments = std::move(batch);
        job.command_template = &command_;
        jobs_.push_back(std::move(job));
    }

    const CommandTemplate& command_;
    ArgumentBatcher batcher_;
    std::size_t pending_ = 0;     // records given to the batcher and not yet in a job
    std::size_t first_line_ = 0;  // the line of the first of them
    std::vector<JobSpec> jobs_;
};

}  // namespace

std::vector<JobSpec> jobs_from_arguments(const CommandTemplate& command,
                                         const std::vector<std::string>& args,
                                         const BatchSettings& batching) {
    TemplateJobs jobs(command, batching);
    for (const auto& arg : args) jobs.add(arg, 0);
    return jobs.finish();
}

std::vector<JobSpec> jobs_from_lines(std::istream& in, const CommandTemplate* command,
                                     const BatchSettings& batching) {
    std::optional<TemplateJobs> template_jobs;
    if (command != nullptr) template_jobs.emplace(*command, batching);
    std::vector<JobSpec> jobs;
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        if (template_jobs) {  // an argument line is taken as it is
            template_jobs->add(std::move(line), n);
            continue;
        }
        // A command file may have comments.
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        JobSpec job;
        job.seq = jobs.size() + 1;
        job.command = line;
        job.line = n;
        jobs.push_back(std::move(job));
    }
    return template_jobs ? template_jobs->finish() : jobs;
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
