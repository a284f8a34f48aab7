// `forkline top PID --cancel JOB | --pause | --resume`: one request to a pool's control
// channel (src/forkline/control_client.hpp). Apart from the live view so that its parser
// takes these options as they are: top_control_options() gives them, run_top_control() acts.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "options.hpp"

struct TopControl {
    std::optional<std::uint64_t> cancel;  // --cancel JOB: the job id `forkline top` shows
    bool pause = false;                   // --pause
    bool resume = false;                  // --resume

    bool given() const { return cancel || pause || resume; }
};

// The help lines of the three options, for the --help text.
inline constexpr const char* kTopControlHelp =
    R"(      --cancel JOB    cancel job JOB of the pool (its id as forkline top shows it): a
                      waiting job never runs, a running one is killed with its whole
                      process group; it is reported cancelled
      --pause         start no new job (running jobs go on) until --resume
      --resume        start jobs again after --pause
)";

// --cancel JOB, --pause, --resume, filling `control`; at most one of them may be given.
std::vector<cli::Option> top_control_options(TopControl& control);

// Sends the request to the pool of `pid` (its supervisor, or one of its workers) and prints
// the pool's answer ("pool PID: job 7 cancelled", "pool PID: paused"); returns 0. Throws
// forkline::Error when the pool cannot be reached, refuses, or says no (a job that is not
// waiting or running), which the tool reports in one line with exit status 1.
int run_top_control(pid_t pid, const TopControl& control);
