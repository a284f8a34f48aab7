// GNU parallel's joblog, forkline run's journal: a header line, then one TSV line per
// finished job:
//   Seq Host Starttime JobRuntime Send Receive Exitval Signal Command
// A timed-out job has Exitval -1 and Signal 15, as in parallel. The command is escaped so
// that each job stays one line of nine fields (parallel writes a newline as a NUL byte).
//
// Crash safety: each line is one write(2) on an O_APPEND descriptor, so a SIGKILL of
// forkline never leaves half a line (the kernel finishes a write it started); fdatasync
// makes the lines survive power loss, at most `sync_interval_s` after they are written
// and at the end (a line cut by power loss is what joblog_reader.hpp ignores).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "finished_job.hpp"
#include "unique_fd.hpp"

namespace run {

struct JoblogSettings {
    bool append = false;         // keep what the file holds (--joblog +FILE, --resume…)
    double sync_interval_s = 1;  // longest wait of a written line for fdatasync; 0: none
};

class Joblog {
  public:
    // Opens `path` (created, or truncated unless appending) and writes the header if the
    // file is empty. Throws forkline::OsError when it cannot be opened, cli::OutputError
    // when it cannot be written.
    Joblog(const std::filesystem::path& path, JoblogSettings settings);

    // Appends `job`'s line; throws cli::OutputError when it cannot be written or synced.
    void write(const FinishedJob& job);
    // fdatasync when a line has waited `sync_interval_s`; sync(): now, if a line waits.
    void sync_if_due();
    void sync();
    // Called before each fdatasync (--results makes the outputs durable first).
    void before_sync(std::function<void()> step) { before_sync_ = std::move(step); }

  private:
    forkline::UniqueFd file_;
    std::filesystem::path path_;
    std::string name_;  // "joblog 'PATH'", for messages
    std::chrono::duration<double> interval_;
    std::optional<std::chrono::steady_clock::time_point> unsynced_since_;
    bool directory_synced_ = false;  // a new file's name survives power loss too
    std::function<void()> before_sync_;
};

// A job's Command column, the key --resume matches: the command as the joblog writes it
// (backslash, tab, newline and carriage return as \\ \t \n \r, other control bytes as
// \xNN; every other byte, UTF-8 included, as it is) and, when the job had stdin input,
//   " #\input=sha256:HEX"
// (HEX: the input's SHA-256, as sha256sum prints it). No command escapes to a `\i`, so
// the suffix cannot be part of a command; to a shell, " #" starts a comment.
std::string joblog_command(std::string_view command, std::string_view input);

struct JoblogCommandParts {
    std::string command;     // unescaped
    bool had_input = false;  // the Command column carried an input digest
};
// The inverse of joblog_command(); a backslash before any other byte is kept (a joblog
// GNU parallel wrote has its commands as they are).
JoblogCommandParts joblog_command_parts(std::string_view column);

}  // namespace run
