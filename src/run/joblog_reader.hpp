// Reading a joblog back (--resume, --resume-failed, --retry-failed, --joblog +FILE).
// A line is nine tab-separated fields (joblog.hpp); the Command field is the rest of the
// line, tabs included, as GNU parallel reads it. The header line is skipped where it is.
//
// Power loss may cut the file's last line short or fill it with NUL bytes: a last line
// without its newline, or one that is not a joblog line, is ignored with a warning
// (`ignored` says why) and is not part of `valid_bytes`, so that an append starts after
// the last good line. A line that is not a joblog line anywhere else is an error.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>

namespace run {

struct JoblogEntry {
    std::uint64_t seq = 0;
    int exit_value = 0;  // Exitval: -1 timed out or not run
    int signal = 0;
    std::string command;   // the Command field as written: the key (joblog_command())
    std::size_t line = 0;  // 1-based line number in the file

    bool success() const { return exit_value == 0 && signal == 0; }  // as GNU parallel
};

struct JoblogScan {
    std::uint64_t valid_bytes = 0;  // the header and the good lines: what an append keeps
    std::string ignored;            // "line N: WHY" of an ignored last line, or empty
};

// Reads the joblog text of `in`, handing each good line to `entry` in file order. Throws
// forkline::Error "NAME line N: WHY" for a bad line that is not the last; `name` is how
// messages call the file ("joblog 'J'").
JoblogScan read_joblog(std::istream& in, const std::string& name,
                       const std::function<void(JoblogEntry&&)>& entry);

}  // namespace run
