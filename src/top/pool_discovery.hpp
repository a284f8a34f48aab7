// Finding the pools running on this machine, without any name another user could open:
// a pool's segment has no name once its workers attached (segment.hpp), so it is found
// where it is held — the descriptor its supervisor keeps, seen in /proc/PID/fd as a link
// to "/dev/shm/forkline-<creator pid>-<random> (deleted)". /proc shows a process's
// descriptors only to its own user (or root): other users' pools stay out of sight.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace top {

// One pool's segment, and a descriptor through which it can be opened.
struct FoundPool {
    pid_t supervisor = 0;  // the segment's creator (from its name)
    std::string segment;   // "forkline-<pid>-<random>": tells two pools of one process apart
    pid_t holder = 0;      // a process holding the segment open: the supervisor, else its guardian
    int fd = -1;           // the descriptor number in `holder`
};

// Every pool whose segment this user owns, one entry per segment, by supervisor pid.
std::vector<FoundPool> find_pools();

// The pools of process `pid`: those it supervises, else those it holds (a job guardian),
// else the one it works for (a worker maps its segment but has closed the descriptor:
// found through /proc/PID/maps). Empty when the process runs no pool. Throws forkline::OsError when
// /proc refuses to show the process (another user's: EACCES) or it does not exist (ESRCH).
std::vector<FoundPool> find_pools_of(pid_t pid);

}  // namespace top
