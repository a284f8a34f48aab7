// What `forkline top` shows of one pool at one instant: read from the segment (racily:
// each number recent, not all from the same instant) and from /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace top {

enum class WorkerState {
    starting,  // no process attached at this index yet (or being respawned)
    idle,      // attached, no job
    running,   // running a job
    dead,      // its process is gone (or a zombie): the supervisor will respawn it
};
const char* to_string(WorkerState state);

// CPU and memory of one process or of a job's process group.
struct Usage {
    double cpu_percent = 0;  // of one core, since the previous snapshot
    std::uint64_t rss_bytes = 0;
    unsigned processes = 0;  // 0: none found
};

struct WorkerSnapshot {
    std::uint32_t index = 0;
    pid_t pid = 0;  // 0: none attached
    WorkerState state = WorkerState::starting;
    std::optional<std::uint64_t> job_id;  // while running
    double elapsed_s = 0;                 // of the running job
    std::uint64_t jobs_done = 0;          // by this index, respawned processes included
    Usage worker;                         // the worker process itself
    pid_t job_group = 0;                  // the process group the job started; 0: none
    Usage job;                            // that group's processes
    std::string command;                  // forkline run: the running command line
    std::string last_line;                // its last line of output, when a regular file holds it
};

struct PoolSnapshot {
    pid_t supervisor = 0;
    std::string segment;  // "forkline-PID-RANDOM": which pool of the supervisor
    std::string kind;
    double uptime_s = 0;
    std::uint64_t submitted = 0;
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;  // failed, timed out, worker died
    std::uint64_t cancelled = 0;
    std::uint64_t requeued = 0;
    std::uint64_t worker_deaths = 0;
    std::uint64_t respawns = 0;
    // Jobs finished: by the workers' own counts, which the supervisor's (succeeded + failed
    // + cancelled) follow by up to a batch of results (it collects them in batches).
    std::uint64_t done = 0;
    std::uint64_t running = 0;
    std::uint64_t queued = 0;            // submitted, neither finished nor running
    std::uint64_t parked = 0;            // of those, held back by a pause
    std::optional<std::uint64_t> total;  // when the run knows it
    double jobs_per_s_now = 0;           // since the previous snapshot
    double jobs_per_s_average = 0;       // since the pool started
    std::optional<double> eta_s;         // with a total and a rate
    Usage supervisor_usage;
    std::vector<WorkerSnapshot> workers;  // in the order asked for (sort_workers())

    std::uint64_t delivered() const { return succeeded + failed + cancelled; }
};

// A pool found but not shown: its segment is of another forkline version, or another
// user's (as root: never refused; found only when listing every pool).
struct Unreadable {
    pid_t supervisor = 0;
    std::string why;
};

// How the workers are listed: the slowest running job first (the default), by CPU, by
// memory, or by index.
enum class SortOrder { elapsed, cpu, memory, index };
const char* to_string(SortOrder order);
SortOrder next(SortOrder order);
void sort_workers(PoolSnapshot& snapshot, SortOrder order);

}  // namespace top
