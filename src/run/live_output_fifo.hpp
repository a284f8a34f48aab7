// Live output through FIFOs (Linux; live_output.hpp says what it does).
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
// Without a tag or a --results copy, and when our stdout (stderr) can take them, the bytes
// are spliced from the FIFO (pipe_splice.hpp): they never pass through this process.
#pragma once

#include <array>
#include <map>
#include <vector>

#include "live_output.hpp"
#include "output_tag.hpp"
#include "pipe_splice.hpp"
#include "unique_fd.hpp"

namespace run {

class FifoLiveOutput final : public LiveOutput {
  public:
    // The FIFOs' sizes depend on `jobs`: together they hold a bounded amount.
    FifoLiveOutput(RunOptions::Output mode, unsigned jobs, std::filesystem::path directory,
                   std::function<void()> before_write);
    ~FifoLiveOutput() override;  // closes and removes every FIFO still there
    FifoLiveOutput(const FifoLiveOutput&) = delete;
    FifoLiveOutput& operator=(const FifoLiveOutput&) = delete;

    // Makes the job's FIFOs and returns their paths.
    OutputPaths start(std::uint64_t seq, std::string tag, const OutputPaths& copies) override;
    // One poll(2) over the FIFOs, `pool` and `input_fd`.
    bool pump(std::chrono::milliseconds timeout, forkline::NativeHandle pool,
              int input_fd) override;
    // Also closes and removes the job's FIFOs.
    std::uint64_t finish(std::uint64_t seq) override;
    void stop_writing() override { writing_ = false; }
    bool empty() const override { return jobs_.empty(); }

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
