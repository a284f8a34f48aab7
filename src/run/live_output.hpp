// Live output (--line-buffer, -u/--ungroup): a running job's stdout and stderr reach ours
// while it runs, instead of when it ends.
//
// --line-buffer prints whole lines only, each with the job's tag (--tag, --tagstring): a
// line is never cut or mixed with another job's; a job's unterminated last piece is
// printed as it is when the job ends. --ungroup passes bytes on as they come. A job run
// again (its worker killed mid-job, or --retries) keeps what its earlier runs printed.
//
// Linux: FIFOs in the run's private directory (live_output_fifo.hpp). Windows: not
// available; make_live_output() refuses it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <forkline/native_handle.hpp>
#include <functional>
#include <memory>
#include <string>

#include "command_job.hpp"
#include "run_options.hpp"

namespace run {

class LiveOutput {
  public:
    virtual ~LiveOutput() = default;  // what it made for jobs still there is removed

    // Job `seq` is about to be submitted: returns where it writes its output (CommandJob's
    // stdout_path, stderr_path). `tag` goes before each of its lines. `copies` (its
    // --results files, or empty paths) are created and get every byte of its stdout and
    // stderr too. Throws forkline::OsError.
    virtual OutputPaths start(std::uint64_t seq, std::string tag,
                              const OutputPaths& copies = {}) = 0;

    // Forwards the output that came, waiting up to `timeout` for some, or for the pool to
    // have something to do (`pool`, as in wait_for_pool_or_input()) or the input to be
    // readable (`input_fd`; -1: not waited for): one wait serves all three. Returns whether
    // output came. Throws cli::OutputError when our stdout or stderr (or a --results copy)
    // cannot be written.
    virtual bool pump(std::chrono::milliseconds timeout, forkline::NativeHandle pool,
                      int input_fd) = 0;

    // Job `seq` has ended (its result has arrived): forwards the rest of its output.
    // Returns how many bytes it wrote on its stdout (the joblog's Receive).
    virtual std::uint64_t finish(std::uint64_t seq) = 0;

    // An output could not be written: from now on what comes is read and dropped.
    virtual void stop_writing() = 0;

    virtual bool empty() const = 0;  // no job's output is awaited
};

// `mode`: line_buffer or ungroup. `jobs`: how many run at once. `directory`: the run's
// private directory. `before_write` is called before anything is written (to clear the
// progress line). Throws forkline::Error where live output is not available (Windows).
std::unique_ptr<LiveOutput> make_live_output(RunOptions::Output mode, unsigned jobs,
                                             std::filesystem::path directory,
                                             std::function<void()> before_write);

}  // namespace run
