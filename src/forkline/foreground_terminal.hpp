// Job control for a pipeline run from a terminal, the way shells do it.
//
// A pipeline runs in a process group of its own. If that group is not the terminal's
// foreground group, a stage that reads the terminal gets SIGTTIN and stops (`head -1`
// typed at a prompt would hang). So, when fd 0 is a terminal and this process is in its
// foreground group, the pipeline's group is made the foreground for its lifetime, and the
// terminal is given back to this process's group at the end, whatever the end. Started in
// the background, the terminal is left alone.
//
// A stage stopped by the terminal (^Z, or SIGTTIN/SIGTTOU in the background) is reported as
// a shell's job would be: the terminal is taken back and this process stops itself with
// SIGTSTP, so its own shell sees it stopped; once continued, the terminal goes back to the
// pipeline if this process is in the foreground again, and the pipeline gets SIGCONT.
#pragma once

#include <sys/types.h>

#include <vector>

#include "unique_fd.hpp"

namespace forkline {

class ForegroundTerminal {
  public:
    // Does nothing unless `wanted` and fd 0 is a terminal.
    explicit ForegroundTerminal(bool wanted);
    // Gives the terminal back to this process's group if the pipeline had it.
    ~ForegroundTerminal();
    ForegroundTerminal(const ForegroundTerminal&) = delete;
    ForegroundTerminal& operator=(const ForegroundTerminal&) = delete;

    // A stopped stage can be seen only through SIGCHLD: watch it when this is true.
    bool watches_stops() const { return terminal_.valid(); }
    // The terminal for a stage's own tcsetpgrp between fork and exec (SpawnOptions::
    // foreground_terminal), or -1 when the pipeline is not to have it.
    int fd_for_stages() const { return may_give_ ? terminal_.get() : -1; }

    // Makes `group` the foreground group, if this process is (as a shell does after
    // starting the job's first process; the stage did it too, whichever ran first).
    void give_to(pid_t group);

    // After a SIGCHLD: if one of `stages` was stopped by the terminal, stop as its job
    // would, then continue `group` (see above).
    void follow_stops(const std::vector<pid_t>& stages, pid_t group);

  private:
    bool in_foreground() const;
    void set_foreground(pid_t group) const;

    UniqueFd terminal_;      // a copy of fd 0, when it is a terminal
    bool may_give_ = false;  // this process was in the foreground group at the start
    pid_t given_to_ = 0;     // the pipeline's group while it has the terminal, else 0
};

}  // namespace forkline
