// Grouping input records into jobs, as GNU parallel and xargs do: -n K at most K records per
// job, -N K exactly K (the last job may be short), -m/-X as many as fit one command line.
// Records go in one at a time and a job comes out as soon as it is complete: memory holds
// one job's records, whatever the length of the input.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "command_template.hpp"

namespace run {

// The longest command line -m/-X build, expanded, in bytes. Linux caps each argument string
// at 128 KiB (MAX_ARG_STRLEN, its NUL included), and under --shell the whole command line
// is one argument of sh -c; xargs' default buffer is the same 128 KiB and GNU parallel's
// limit is close to it (130329 bytes here). A single record longer than this still runs,
// alone: it is never dropped.
constexpr std::size_t kMaxCommandLine = 128 * 1024 - 1;

struct BatchSettings {
    std::size_t max_records = 1;     // -n K / -N K: at most K records per job; 0: no count limit
    bool fill_command_line = false;  // -m / -X: also no more than fit kMaxCommandLine bytes
};

class ArgumentBatcher {
  public:
    // `command` must outlive the batcher (it measures records with it).
    ArgumentBatcher(const CommandTemplate& command, BatchSettings settings);

    // A batch that is complete now: this record filled it, or would overflow it (then the
    // batch before it is returned and this record starts the next one).
    std::optional<Arguments> add(std::vector<std::string> record);
    // What is left at the end of the input (nullopt if nothing).
    std::optional<Arguments> finish();

  private:
    Arguments take();

    const CommandTemplate& command_;
    BatchSettings settings_;
    Arguments batch_;
    std::size_t size_ = 0;  // at most the batch's command line, expanded (-m/-X)
};

}  // namespace run
