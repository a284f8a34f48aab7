// The options of `forkline run`; every field's zero value is its default.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

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
    bool json = false;             // one JSON line per finished job instead of raw output
    std::optional<bool> progress;  // forced on/off; default: when stderr is a terminal
    double rate_per_s = 0;         // job starts per second at most; 0: no limit
    double delay_s = 0;            // between two starts
    // How job output reaches stdout/stderr: each job's whole when it ends; whole lines as
    // they come (--line-buffer); bytes as they come (-u, --ungroup).
    enum class Output { grouped, line_buffer, ungroup } output = Output::grouped;
    std::optional<std::string> tag;  // --tag ("{}") or --tagstring: before each output line
    std::optional<std::filesystem::path> results;  // --results DIR
};

}  // namespace run
