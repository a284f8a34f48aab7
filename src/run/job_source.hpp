// Where `forkline run` gets its jobs: a template with arguments (after ::: or one per stdin
// line), whole command lines (one per line), or JSON lines ({"cmd", "timeout", "input"}).
// A line that cannot become a job is kept as a job with an error: it is reported and
// counted as failed, never dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace run {

struct JobSpec {
    std::uint64_t seq = 0;  // 1, 2, … in input order
    std::string command;
    std::string input;              // stdin bytes for the command
    std::optional<double> timeout;  // seconds; overrides the run's --timeout
    std::string error;              // non-empty: cannot run ("line 3: not valid JSON")
    std::size_t line = 0;           // 1-based source line, 0 when from ::: arguments
    // A template job's arguments: records x columns (--tag and --results name them);
    // empty for whole-command and JSON jobs.
    std::vector<std::vector<std::string>> arguments;
};

// `args` grouped `max_args` at a time into `command_template`.
std::vector<JobSpec> jobs_from_arguments(const std::string& command_template,
                                         const std::vector<std::string>& args,
                                         std::size_t max_args);

// Non-empty lines of `in`: arguments for `command_template` when given, else commands.
std::vector<JobSpec> jobs_from_lines(std::istream& in,
                                     const std::optional<std::string>& command_template,
                                     std::size_t max_args);

// One JSON object per non-empty line: {"cmd": "...", "timeout": 5, "input": "..."}.
std::vector<JobSpec> jobs_from_json_lines(std::istream& in);

}  // namespace run
