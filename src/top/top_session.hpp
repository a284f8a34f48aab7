// `forkline top`: attach to the pools asked for, then look at them every interval, shown
// on the full screen (a terminal), as plain text or as JSON lines, until q, SIGINT,
// SIGTERM, the last iteration, or the end of the pool watched.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace top {

struct TopOptions {
    std::string redis_url;     // not empty: the runs on this Redis server instead of local pools
    std::string queue;         // with redis_url: this queue only; empty: every queue
    std::optional<pid_t> pid;  // a supervisor or one of its workers; none: all
    bool json = false;         // one JSON object per look
    double interval_s = 1;     // between looks
    std::optional<std::uint64_t> iterations;  // looks at most; none: one off a terminal,
                                              // until q on one (and with --json, for ever)
};

// Returns the exit status: 0, also when the pool watched has ended ("pool PID ended").
int run_top(const TopOptions& options);

}  // namespace top
