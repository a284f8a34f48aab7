// Where `forkline run` gets its jobs, read while they run: a template with arguments (from
// ::: values, files or stdin: template_jobs.hpp), whole command lines, or JSON lines
// ({"cmd", "timeout", "input"}: line_jobs.hpp). A record that cannot become a job is kept
// as a job with an error: it is reported and counted as failed, never dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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
    virtual std::optional<std::size_t> total() const {
        return ended() ? std::optional<std::size_t>(handed_out_) : std::nullopt;
    }

  protected:
    // Every job handed out goes through one of these: numbered in input order, or counted
    // with its own number.
    JobSpec numbered(JobSpec job) {
        job.seq = ++handed_out_;
        return job;
    }
    JobSpec counted(JobSpec job) {
        ++handed_out_;
        return job;
    }

  private:
    std::size_t handed_out_ = 0;
};

// Jobs known in advance (--retry-failed's, from the joblog), numbered as they are.
class JobList final : public JobStream {
  public:
    explicit JobList(std::vector<JobSpec> jobs) : jobs_(std::move(jobs)) {}
    std::optional<JobSpec> next() override;
    bool ended() const override { return next_ == jobs_.size(); }
    int wait_fd() const override { return -1; }

  private:
    std::vector<JobSpec> jobs_;
    std::size_t next_ = 0;
};

// The jobs of `jobs`, those ready at once (at most `limit`) read ahead: when the input is
// that short, its total is known before the first job starts (-j 0 bounds the workers by it).
class ReadAhead final : public JobStream {
  public:
    ReadAhead(JobStream& jobs, std::size_t limit);
    std::optional<JobSpec> next() override;
    bool ended() const override { return next_ == ahead_.size() && jobs_.ended(); }
    int wait_fd() const override { return jobs_.wait_fd(); }
    // Known as soon as the input ended, before the jobs read ahead are handed out.
    std::optional<std::size_t> total() const override { return jobs_.total(); }

  private:
    JobStream& jobs_;
    std::vector<JobSpec> ahead_;
    std::size_t next_ = 0;
};

// The next job of `jobs`, waiting for its input as long as needed (calling `before_waiting`
// first, e.g. to flush what was printed); nullopt at its end.
std::optional<JobSpec> next_waiting(JobStream& jobs,
                                    const std::function<void()>& before_waiting = {});

}  // namespace run
