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

#include "argument_batches.hpp"
#include "command_template.hpp"

namespace run {

struct JobSpec {
    std::uint64_t seq = 0;  // 1, 2, … in input order
    std::string command;    // the command line (a template job's once it was expanded)
    Arguments arguments;    // a template job's arguments
    const CommandTemplate* command_template = nullptr;  // a template job's template
    std::string input;                                  // stdin bytes for the command
    std::optional<double> timeout;                      // seconds; overrides the run's --timeout
    std::string error;     // non-empty: cannot run ("line 3: not valid JSON")
    std::size_t line = 0;  // 1-based source line, 0 when from ::: arguments
};

// The command line of a job started in job slot `slot` ({%}). Throws ExpandError.
std::string command_text(const JobSpec& spec, unsigned slot);

// "line N: " (or "job N: " for ::: arguments): what an error about the job starts with.
std::string error_prefix(const JobSpec& spec);

// `args`, one record each, grouped by `batching` into jobs of `command` (which must outlive
// the jobs).
std::vector<JobSpec> jobs_from_arguments(const CommandTemplate& command,
                                         const std::vector<std::string>& args,
                                         const BatchSettings& batching);

// Non-empty lines of `in`: arguments for `command` when given (grouped by `batching`), else
// commands.
std::vector<JobSpec> jobs_from_lines(std::istream& in, const CommandTemplate* command,
                                     const BatchSettings& batching);

// One JSON object per non-empty line: {"cmd": "...", "timeout": 5, "input": "..."}.
std::vector<JobSpec> jobs_from_json_lines(std::istream& in);

}  // namespace run
