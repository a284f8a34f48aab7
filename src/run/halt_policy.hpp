// --halt, as GNU parallel 20221122 decides it: when to stop, and the exit status after.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "run_options.hpp"

namespace run {

// "now,fail=1", "soon,success=50%", "never", and GNU's old numeric forms 0, 1, 2, -1, -2 and
// "N%" (= soon,fail=N%). Throws cli::UsageError naming --halt.
HaltCondition parse_halt(const std::string& text);

class HaltPolicy {
  public:
    enum class Action { go_on, stop_starting /* soon */, cancel_running /* now */ };

    explicit HaltPolicy(HaltCondition condition) : condition_(condition) {}

    // A job ended for good (after its retries); `status` is its exit status in shell terms
    // (0 success, 128+N killed by signal N). `total` is the number of jobs, once known: a
    // WHY=N% condition waits for it. Returns go_on, or once the condition is met, what to do.
    Action finished(int status, std::optional<std::size_t> total);

    bool halted() const { return status_.has_value(); }

    // The run's exit status, GNU's rules: after a halt on success 0; after a halt on fail=1
    // or done=1 the exit status of the job that caused it; with a WHY=N% condition the
    // percentage of failed jobs (rounded up), counted when it halted or at the end;
    // otherwise the number of failed jobs (at most 101), counted when it halted or at the end.
    int exit_status(std::size_t failed, std::size_t done) const;

  private:
    HaltCondition condition_;
    std::size_t failed_ = 0;
    std::size_t succeeded_ = 0;
    std::optional<int> status_;  // fixed when the condition was met
};

}  // namespace run
