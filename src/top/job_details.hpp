// What a running job is doing, read without disturbing it: its command (the job bytes of a
// `forkline run` slot, decoded) and the last line of its output, when that output goes to
// a regular file (or a memfd) that can be read at any offset. A pipe is never read: a byte
// taken from it would be a byte the job's reader never gets.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "segment.hpp"

namespace top {

// The command line of the `forkline run` job at `position`, claimed by `worker`; empty
// when the slot no longer holds that job (it finished while being read) or is no command.
std::string run_command_at(const forkline::SegmentView& view, std::uint64_t position,
                           std::uint32_t worker);

// The last non-empty line (at most 4 KiB back) of the first of `processes` whose standard
// output is a regular file; empty when none is.
std::string last_output_line(const std::vector<pid_t>& processes);

}  // namespace top
