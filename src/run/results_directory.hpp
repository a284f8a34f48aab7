// --results DIR: each job's stdout, stderr and exit status kept in a folder of its own, in
// GNU parallel's layout, plus an index of the finished jobs:
//
//   DIR/1/ARG/seq        the job number (no newline, as GNU parallel)
//   DIR/1/ARG/stdout     what the job wrote, byte for byte
//   DIR/1/ARG/stderr
//   DIR/1/ARG/signal     the signal that ended it, 0 if none (forkline's own)
//   DIR/1/ARG/exitval    its exit code as --json's exit_code (forkline's own): written
//                        last, by a rename, so a folder with an exitval holds a finished
//                        job's whole output
//   DIR/index.jsonl      one JSON line per finished job: {"seq", "exit_code", "signal",
//                        "timed_out", "command", "directory"} (directory: relative to DIR)
//
// ARG is the job's arguments, as GNU parallel names them: for each record, for each
// column N, the folders N/VALUE (`-n 2 ::: a b`: 1/a/1/b; `::: a ::: b`: 1/a/2/b); a job
// without arguments (a whole command line) uses its command as VALUE. In VALUE, \ / TAB
// and NUL are written \\ \_ \t \0 (GNU's escapes), and, beyond GNU (where they climb out
// of DIR or collide), an empty value is \ and . and .. are \. and \..; a VALUE longer
// than a file name may be (255 bytes) is cut there, as in GNU parallel. On Windows, where
// \ separates folders and more is forbidden in a name, VALUE escapes the Windows way
// instead (windows_result_folder_name). Jobs with the
// same arguments share a folder (the last one to run wins, as in GNU parallel), but each
// has its own index line.
//
// The worker writes stdout and stderr straight into the folder (no copy through memory);
// the supervisor writes seq, signal, exitval and the index line when the job's result
// comes back. The resume code reads finished jobs back with read_finished().
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "command_job.hpp"
#include "finished_job.hpp"
#include "job_source.hpp"
#include "unique_fd.hpp"

namespace run {

// A job an earlier run finished, as its folder holds it.
struct StoredResult {
    std::uint64_t seq = 0;
    int exit_code = 0;
    int signal = 0;
    std::filesystem::path stdout_path;
    std::filesystem::path stderr_path;
};

class ResultsDirectory {
  public:
    // Creates `root` when missing and opens its index: emptied, or appended to when
    // `resume`. Throws forkline::OsError saying what failed.
    explicit ResultsDirectory(std::filesystem::path root, bool resume = false);

    const std::filesystem::path& root() const { return root_; }

    // The folder of `job`'s results (see the layout above).
    std::filesystem::path job_folder(const JobSpec& job) const;

    // `job` is about to run: makes its folder, removes the exit status an earlier run left
    // there (not finished until finish() says so) and returns where its stdout and stderr
    // go. Throws forkline::OsError.
    OutputPaths prepare(const JobSpec& job) const;

    // Records `job` as finished: its seq, signal and exitval files, then its index line.
    // Throws cli::OutputError when they cannot be written.
    void finish(const FinishedJob& job);

    // Makes what was written so far survive power loss (syncfs of DIR's file system: one
    // call for every job's files). The joblog calls it before its own fdatasync, so that a
    // job the joblog has done has its output on disk (--resume replays it).
    void sync() const;

    // A finished job's results (its folder has an exitval); nullopt when there are none.
    std::optional<StoredResult> read_finished(const JobSpec& job) const;

  private:
    std::filesystem::path root_;
    forkline::UniqueFd index_;
};

// The folder name of one argument value (the escapes above), this system's way.
std::string result_folder_name(std::string_view value);

// Windows' way: % and the bytes a Windows name cannot hold (< > : " / \ | ? * and control
// bytes) are %XX (hex), a trailing . or space too (Windows drops them), a device name (CON,
// NUL, COM1, LPT1, … also with an extension) has its first byte escaped, and an empty value
// is %.
std::string windows_result_folder_name(std::string_view value);

// A whole file's bytes (a stored stdout or stderr); throws forkline::OsError.
std::string read_whole_file(const std::filesystem::path& path);

}  // namespace run
