// The options of `forkline run`; every field's zero value is its default.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace run {

// --halt WHEN,WHY=N or WHEN,WHY=N% (GNU parallel's forms): stop once N jobs (or N% of all
// the jobs) have failed, succeeded or ended.
struct HaltCondition {
    enum class When { never, now, soon } when = When::never;  // now: cancel running jobs
    enum class Why { fail, success, done } why = Why::fail;
    unsigned count = 1;  // WHY=N
    double percent = 0;  // WHY=N%: N, 1 to 100 (then count is unused)
};

// --redis: jobs in flight at most (queued in Redis or running on a host); {%} is 1 to it.
inline constexpr unsigned kRemoteWindow = 1024;

struct RunOptions {
    unsigned jobs = 0;           // -j: commands at once; 0: one per core. With redis_url: the
                                 // command workers run here beside the remote ones; 0: none
    bool shell = false;          // run each command with a shell (SHELL -c COMMAND)
    std::string shell_program;   // with shell: the shell, an absolute path; empty: /bin/sh
    double timeout_s = 0;        // per job; 0: none
    double timeout_percent = 0;  // --timeout N%: N% of the median runtime of the jobs that
                                 // succeeded so far (none before the first one has); 0: unused
    double grace_s = 1;          // SIGTERM -> SIGKILL on timeout or cancel
    bool grace_given = false;    // --grace given: after a first SIGINT, running jobs
                                 // get this long to finish before they are cancelled
    unsigned retries = 0;        // more attempts after a failed first one
    HaltCondition halt;
    bool keep_order = false;  // outputs in input order
    std::optional<std::filesystem::path> joblog;
    bool joblog_append = false;  // --joblog +FILE, and every resume mode
    double joblog_sync_s = 1;    // --joblog-sync: fdatasync a line within this; 0: at once
    // --resume: skip the jobs the joblog has; --resume-failed: those it has succeeded;
    // --retry-failed: run the joblog's failed jobs again (resume.hpp)
    enum class Resume { none, resume, resume_failed, retry_failed } resume = Resume::none;
    bool json = false;             // one JSON line per finished job instead of raw output
    std::optional<bool> progress;  // forced on/off; default: when stderr is a terminal
    double rate_per_s = 0;         // job starts per second at most; 0: no limit
    double delay_s = 0;            // between two starts
    // How job output reaches stdout/stderr: each job's whole when it ends; whole lines as
    // they come (--line-buffer); bytes as they come (-u, --ungroup).
    enum class Output { grouped, line_buffer, ungroup } output = Output::grouped;
    std::optional<std::string> tag;  // --tag ("{}") or --tagstring: before each output line
    std::optional<std::filesystem::path> results;  // --results DIR
    // --redis URL: the jobs run on worker hosts (forkline worker --redis URL) through this
    // Redis server; empty: on this host
    std::string redis_url;
    std::string queue;             // --queue NAME; empty: "forkline"
    std::uint64_t max_output = 0;  // --max-output: a remote job's stdout + stderr bytes at
                                   // most; 0: 1 GiB
};

}  // namespace run
