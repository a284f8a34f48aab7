// GNU parallel's joblog: a header line, then one TSV line per finished job:
//   Seq Host Starttime JobRuntime Send Receive Exitval Signal Command
// A timed-out job has Exitval -1 and Signal 15, as in parallel. The command is escaped so
// that each job stays one line of nine fields (parallel writes a newline as a NUL byte).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "finished_job.hpp"
#include "unique_fd.hpp"

namespace run {

class Joblog {
  public:
    // Creates (or truncates) `path` and writes the header. Throws std::system_error when
    // it cannot be opened, cli::OutputError when it cannot be written.
    explicit Joblog(const std::filesystem::path& path);

    // Appends `job`'s line; throws cli::OutputError when it cannot be written.
    void write(const FinishedJob& job);

  private:
    forkline::UniqueFd file_;
    std::string name_;  // "joblog 'PATH'", for messages
};

// A command as the joblog writes it: backslash, tab, newline and carriage return as \\ \t
// \n \r, other control bytes as \xNN; every other byte (UTF-8 included) as it is.
std::string joblog_escaped(std::string_view command);

}  // namespace run
