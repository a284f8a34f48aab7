// Where `forkline run` gets its jobs, read while they run: a template with arguments (from
// ::: values, files or stdin: template_jobs.hpp), whole command lines, or JSON lines
// ({"cmd", "timeout", "input"}: line_jobs.hpp). A record that cannot become a job is kept
// as a job with an error: it is reported and counted as failed, never dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace run {

// One job's arguments: records × columns (see command_template.hpp).
using Arguments = std::vector<std::vector<std::string>>;

struct JobSpec {
    std::uint64_t seq = 0;          // 1, 2, … in input order
    std::string command;            // whole-command and JSON jobs; template jobs: set when started
    std::string input;              // stdin bytes for the command
    std::optional<double> timeout;  // seconds; overrides the run's --timeout
    std::string error;              // non-empty: cannot run ("line 3: not valid JSON")
    std::size_t line = 0;           // 1-based source line, 0 when from ::: arguments
    Arguments arguments;            // template jobs: what the template is expanded with
    std::shared_ptr<const std::string> command_template;  // set: a template job
};

// The command line of `spec` run in job slot `slot` (1…-j): its template expanded with its
// arguments, else its command. May throw std::runtime_error (a placeholder that cannot be
// filled); the message names no line.
std::string command_text(const JobSpec& spec, unsigned slot);

// "line N: " (its input line) or "job N: " (its number): what an error message about it
// starts with.
std::string where(const JobSpec& spec);

// What the scheduler consumes: jobs in input order, as their input arrives.
class JobStream {
  public:
    virtual ~JobStream() = default;
    // The next job if one is ready now; nullopt if none is ready yet or the input ended.
    virtual std::optional<JobSpec> next() = 0;
    // The input ended and every job was handed out.
    virtual bool ended() const = 0;
    // Readable when next() may have a job (for poll(2)); -1 when next() never waits.
    virtual int wait_fd() const = 0;
    // The number of jobs, known once the input ended.
    std::optional<std::size_t> total() const {
        return ended() ? std::optional<std::size_t>(handed_out_) : std::nullopt;
    }

  protected:
    JobSpec numbered(JobSpec job) {  // every job handed out goes through here
        job.seq = ++handed_out_;
        return job;
    }

  private:
    std::size_t handed_out_ = 0;
};

// The next job of `jobs`, waiting for its input as long as needed (calling `before_waiting`
// first, e.g. to flush what was printed); nullopt at its end.
std::optional<JobSpec> next_waiting(JobStream& jobs,
                                    const std::function<void()>& before_waiting = {});

}  // namespace run
