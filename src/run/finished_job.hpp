// One job of `forkline run` as it ended: what the report, the JSON line and the joblog say.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "job_source.hpp"

namespace run {

struct FinishedJob {
    JobSpec spec;       // a copy: command holds the command line as run
    int exit_code = 0;  // shell convention; 2 when it could not run, -1 when its workers died
    int signal = 0;     // signal that ended it, 0 if none
    bool timed_out = false;
    unsigned attempts = 0;
    std::string host;  // --redis: the name of the worker host that ran it; empty: this one
    double start_unix_s = 0;
    double duration_s = 0;
    std::uint64_t stdout_bytes = 0;
    std::string stdout_data;  // the output, when it came back in the result slot
    std::string stderr_data;
    std::filesystem::path out_path;  // else these files hold it (removed once printed)
    std::filesystem::path err_path;
    bool keep_files = false;  // out_path, err_path are --results files: not removed
    std::string tag;          // --tag, --tagstring: before each line of its output
    std::string error;        // why it could not run, printed on stderr
    // Not run: the joblog has it done (--resume…). It is printed in its turn with whatever
    // output it carries (none, or its output from an earlier run), counted as skipped and
    // not logged again.
    bool replayed = false;
    // Ended by the run's own cancel (a second SIGINT, SIGTERM, --halt now, an output that
    // failed): not in the joblog, so that --resume runs it again (as GNU parallel).
    bool cancelled = false;
    // Cancelled by `forkline top --cancel` (its whole process group killed, or withdrawn
    // before it started): reported on stderr and in the joblog (Exitval -1, Signal 9 or 0),
    // counted failed, never retried.
    bool cancelled_on_request = false;

    bool success() const { return exit_code == 0 && error.empty(); }
};

}  // namespace run
