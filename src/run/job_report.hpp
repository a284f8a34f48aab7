// What `forkline run` prints about finished jobs: each job's output grouped (never mixed
// with another's), in completion or input order; JSON lines; the GNU parallel joblog; and
// the progress line on a terminal.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "job_source.hpp"
#include "run_options.hpp"

namespace run {

struct FinishedJob {
    const JobSpec* spec = nullptr;
    int exit_code = 0;  // shell convention; 2 when it could not run, -1 when its workers died
    int signal = 0;     // signal that ended it, 0 if none
    bool timed_out = false;
    unsigned attempts = 0;
    double start_unix_s = 0;
    double duration_s = 0;
    std::uint64_t stdout_bytes = 0;
    std::string stdout_data;  // the output, when it came back in the result slot
    std::string stderr_data;
    std::filesystem::path out_path;  // else these files hold it (removed once printed)
    std::filesystem::path err_path;
    std::string error;  // why it could not run, printed on stderr

    bool success() const { return exit_code == 0 && error.empty(); }
};

class JobReport {
  public:
    JobReport(const RunOptions& options, std::size_t total);
    JobReport(const JobReport&) = delete;
    JobReport& operator=(const JobReport&) = delete;

    void finished(FinishedJob job);  // prints now, or when its turn comes (--keep-order)
    void update_progress(std::size_t running, bool force = false);
    void close();  // prints what --keep-order still holds, clears progress

    std::size_t done() const { return done_; }
    std::size_t failed() const { return failed_; }

  private:
    void print(const FinishedJob& job);
    void print_json(const FinishedJob& job);
    void write_joblog(const FinishedJob& job);
    void clear_progress();

    const RunOptions& options_;
    std::size_t total_;
    std::size_t done_ = 0;
    std::size_t failed_ = 0;
    std::uint64_t next_to_print_ = 1;
    std::map<std::uint64_t, FinishedJob> held_;  // --keep-order: finished, waiting for their turn
    std::ofstream joblog_;
    bool show_progress_;
    bool progress_shown_ = false;
    double started_at_;
    double last_progress_ = 0;
};

}  // namespace run
