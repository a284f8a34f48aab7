// What `forkline run` prints about finished jobs: each job's output grouped (never mixed
// with another's), in completion or input order; JSON lines; the GNU parallel joblog; and
// the progress line on a terminal. A write that fails throws cli::OutputError; the report
// is then silent (see stop_writing) while the run winds down.
//
// --keep-order holds a finished job until every job before it is printed, but at most
// kMaxHeldJobs jobs or kMaxHeldBytes of output in memory (outputs over 64 KiB wait in their
// files and count as jobs only): then holding_full() asks the scheduler to start nothing new
// until the job everyone waits for ends.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include "finished_job.hpp"
#include "joblog.hpp"
#include "run_options.hpp"

namespace run {

class JobReport {
  public:
    static constexpr std::size_t kMaxHeldJobs = 1000;
    static constexpr std::size_t kMaxHeldBytes = 16 << 20;

    explicit JobReport(const RunOptions& options);  // opens the joblog
    JobReport(const JobReport&) = delete;
    JobReport& operator=(const JobReport&) = delete;

    void finished(FinishedJob job);  // prints now, or when its turn comes (--keep-order)
    // The progress line: done, running, failed, rate; with the total and an ETA once
    // input_ended() told the total. The run's part of the joblog is written: flushed to disk
    // at the end (close) and at most options.joblog_sync_s after each line (checked here).
    // `paused`: the pool is paused (forkline top --pause), said at the end of the line.
    void update_progress(std::size_t running, bool force = false, bool paused = false);
    void input_ended(std::size_t total) { total_ = total; }
    bool holding_full() const {
        return held_.size() >= kMaxHeldJobs || held_bytes_ >= kMaxHeldBytes;
    }
    void clear_progress();  // before other output: live output, error lines
    // Called before each fdatasync of the joblog (Joblog::before_sync).
    void before_joblog_sync(std::function<void()> step) {
        if (joblog_) joblog_->before_sync(std::move(step));
    }
    void close();  // prints what --keep-order still holds, clears progress, "N skipped"

    // An output could not be written: from now on jobs are only counted, their output
    // files removed, nothing written anywhere.
    void stop_writing();

    std::size_t done() const { return done_; }
    std::size_t failed() const { return failed_; }
    std::size_t skipped() const { return skipped_; }  // replayed: done in the joblog

  private:
    void print(const FinishedJob& job);
    void print_json(const FinishedJob& job);

    const RunOptions& options_;
    std::optional<std::size_t> total_;
    std::size_t done_ = 0;
    std::size_t failed_ = 0;
    std::size_t skipped_ = 0;
    std::uint64_t next_to_print_ = 1;
    std::map<std::uint64_t, FinishedJob> held_;  // --keep-order: finished, waiting for their turn
    std::size_t held_bytes_ = 0;                 // their output held in memory
    std::optional<Joblog> joblog_;
    bool writing_ = true;
    bool show_progress_;
    bool progress_shown_ = false;
    double started_at_;
    double last_progress_ = 0;
};

// "SIGKILL" (for JSON), or the number when the signal has no name.
std::string signal_name(int signal);

}  // namespace run
