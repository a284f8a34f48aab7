// Live output (--line-buffer, -u/--ungroup): a running job's stdout and stderr reach ours
// while it runs, instead of when it ends.
//
// For each job the supervisor makes two FIFOs in the run's private directory and holds
// them open for reading and writing (O_RDWR, non-blocking), so that neither a job that has
// not opened them yet nor a worker killed mid-job ever gives an end of file; the worker
// opens them for writing and hands them to the job as its stdout and stderr (CommandJob's
// stdout_path, stderr_path). pump() forwards what they hold as it comes; finish(), called
// once the job's result has arrived (its worker has closed them by then and the job's
// processes are gone), reads what is left, closes and removes them. A worker killed mid-job
// leaves nothing behind: its descriptors die with it, the pool runs the job again on
// another worker, which opens the same FIFOs, and finish() comes once, after the last run.
// What the killed run had written is already printed and stays printed (so is a failed
// attempt's before a --retries one; GNU parallel holds a retried job's output back and
// prints only its last attempt's); under --line-buffer the killed run's unterminated last
// piece, if any, is continued by the next run's first line.
//
// --line-buffer prints whole lines only, each with the job's tag (--tag, --tagstring): a
// line is never cut or mixed with another job's; a job's unterminated last piece is
// printed as it is when the job ends. --ungroup passes bytes on as they come. Without a
// tag or a --results copy, and when our stdout (stderr) can take them, the bytes are
// spliced from the FIFO (pipe_splice.hpp): they never pass through this process.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "command_job.hpp"
#include "output_tag.hpp"
#include "pipe_splice.hpp"
#include "run_options.hpp"
#include "unique_fd.hpp"

namespace run {

class LiveOutput {
  public:
    // `jobs`: how many run at once (the FIFOs' sizes depend on it). `directory`: where the
    // FIFOs go (the run's private directory). `before_write` is called before anything is
    // written (to clear the progress line).
    LiveOutput(RunOptions::Output mode, unsigned jobs, std::filesystem::path directory,
               std::function<void()> before_write);
    ~LiveOutput();  // closes and removes every FIFO still there
    LiveOutput(const LiveOutput&) = delete;
    LiveOutput& operator=(const LiveOutput&) = delete;

    // Job `seq` is about to be submitted: makes its FIFOs and returns their paths. `tag`
    // goes before each of its lines. `copies` (its --results files, or empty paths) are
    // created and get every byte of its stdout and stderr too. Throws forkline::OsError.
    OutputPaths start(std::uint64_t seq, std::string tag, const OutputPaths& copies = {});

    // Forwards what the FIFOs hold, waiting up to `timeout` for something to come; returns
    // whether anything came. Throws cli::OutputError when our stdout or stderr (or a
    // --results copy) cannot be written.
    bool pump(std::chrono::milliseconds timeout);

    // Job `seq` has ended: forwards the rest of its output, closes and removes its FIFOs.
    // Returns how many bytes it wrote on its stdout (the joblog's Receive).
    std::uint64_t finish(std::uint64_t seq);

    // An output could not be written: from now on what comes is read and dropped.
    void stop_writing() { writing_ = false; }

    bool empty() const { return jobs_.empty(); }

  private:
    struct Stream {
        forkline::UniqueFd fifo;
        std::filesystem::path path;
        int to;               // STDOUT_FILENO or STDERR_FILENO
        LinePrefixer tag;     // --line-buffer: the tag before each line
        std::string partial;  // --line-buffer: the start of a line not ended yet
        forkline::UniqueFd copy;
        std::string copy_name;    // its path, for messages
        std::uint64_t bytes = 0;  // taken from the FIFO so far
    };
    struct Job {
        std::vector<Stream> streams;  // stdout, stderr
    };

    bool read_into(Stream& stream);    // one read; false when nothing was there
    bool splice_from(Stream& stream);  // the same without copying; false: not possible now
    void forward(Stream& stream, std::string_view data);
    void write_lines(Stream& stream, std::string_view lines);
    void remove(Job& job);

    RunOptions::Output mode_;
    std::size_t fifo_size_;  // bytes each FIFO holds
    std::filesystem::path directory_;
    std::function<void()> before_write_;
    std::map<std::uint64_t, Job> jobs_;
    PipeSplicer splicer_;
    std::array<bool, 3> can_splice_{};  // to our stdout ([1]), stderr ([2])
    std::vector<char> buffer_;          // one read's bytes
    std::string tagged_;                // lines with their tags, written at once
    bool writing_ = true;
};

}  // namespace run
