// The options of `forkline run`; every field's zero value is its default.
#pragma once

#include <filesystem>
#include <optional>

namespace run {

struct RunOptions {
    unsigned jobs = 0;         // -j: commands at once; 0: one per core
    bool shell = false;        // run each command with /bin/sh -c
    double timeout_s = 0;      // per job; 0: none
    double grace_s = 1;        // SIGTERM -> SIGKILL on timeout or cancel
    bool grace_given = false;  // --grace given: after a first SIGINT, running jobs
                               // get this long to finish before they are cancelled
    unsigned retries = 0;      // more attempts after a failed first one
    enum class Halt { never, now, soon } halt = Halt::never;
    unsigned halt_after_failures = 1;  // --halt now|soon,fail=N
    bool keep_order = false;           // outputs in input order
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
};

}  // namespace run
