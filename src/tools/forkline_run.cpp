// forkline run: parse the options and job sources, then hand the jobs to the scheduler.
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "arguments.hpp"
#include "job_source.hpp"
#include "run_options.hpp"
#include "scheduler.hpp"
#include "subcommands.hpp"

namespace {

constexpr const char* kRunUsage = R"(usage: forkline run [OPTIONS] [TEMPLATE [::: ARG…]]

Run commands in parallel on a pool of worker processes.
  forkline run -j 4 'gzip -9 {}' ::: *.log          template + arguments
  find . -name '*.log' | forkline run 'gzip -9 {}'  arguments from stdin, one per line
  forkline run -j 4 < commands.txt                  one command (a pipeline) per line
  forkline run --jobs jobs.jsonl                    {"cmd": "…", "timeout": 5, "input": "…"}

Each command is a pipeline run without a shell (see runpipe --help for the syntax) unless
--shell. Placeholders: {} the argument(s), {.} without extension, {/} basename, {//} dirname,
{#} the job number; without any, the arguments are appended. Arguments are inserted as
single words: spaces and quotes in file names are safe.

Options:
  -j N               commands at once (default: the number of cores)
  -n K               up to K arguments per command
  --jobs FILE        read jobs from FILE as JSON lines ('-' for stdin)
  --shell            run each command with /bin/sh -c
  --timeout S        per job: SIGTERM to its process group, SIGKILL after --grace
  --grace S          SIGTERM -> SIGKILL delay (default 1); given, it is also how long running
                     jobs may go on after a first SIGINT
  --retries K        up to K more attempts of a failed job
  --halt WHEN,fail=N after N failed jobs stop: 'now' cancels running jobs, 'soon' lets them end
  --rate N/s|N/m     start at most N jobs per second (or minute)
  --delay S          wait S seconds between two starts
  --keep-order       print outputs in input order (default: completion order)
  --joblog FILE      GNU parallel's joblog (TSV: Seq Host Starttime JobRuntime Send Receive
                     Exitval Signal Command)
  --json             one JSON line per finished job (seq, command, exit_code, signal,
                     timed_out, attempts, duration, stdout, stderr; invalid UTF-8 -> U+FFFD)
  --dry-run          print the commands, run nothing
  --progress         progress line on stderr even when it is not a terminal
  --no-progress      no progress line, even on a terminal
  -h, --help         show this help

Each job's output is printed whole, never mixed with another's. SIGINT: the first stops new
starts, the second cancels running jobs (their whole process groups); exit 130.
Exit status: 0 if every job succeeded, else the number of failed jobs (at most 101);
2 on bad usage.
)";

using tools::UsageError;

// Also caps durations at 10^6 s (11 days): nanosecond arithmetic must not overflow.
double parse_number(const std::string& option, const std::string& text, double min = 0) {
    double value = -1;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) ||
        value < min || value > 1e6) {
        throw UsageError(option + " needs a number from " + std::to_string(static_cast<int>(min)) +
                         " to 1000000, not '" + text + "'");
    }
    return value;
}

unsigned parse_count(const std::string& option, const std::string& text, unsigned min) {
    const double value = parse_number(option, text, min);
    if (value != std::floor(value) || value > 100000)
        throw UsageError(option + " needs a whole number, not '" + text + "'");
    return static_cast<unsigned>(value);
}

double parse_rate(const std::string& text) {
    const auto slash = text.find('/');
    if (slash == std::string::npos || (text.substr(slash) != "/s" && text.substr(slash) != "/m")) {
        throw UsageError("--rate needs N/s or N/m, not '" + text + "'");
    }
    const double n = parse_number("--rate", text.substr(0, slash));
    if (n <= 0) throw UsageError("--rate needs a positive rate, not '" + text + "'");
    return text.substr(slash) == "/s" ? n : n / 60;
}

void parse_halt(const std::string& text, run::RunOptions& options) {
    const auto comma = text.find(",fail=");
    const auto when = text.substr(0, comma);
    if ((when != "now" && when != "soon") || comma == std::string::npos) {
        throw UsageError("--halt needs now,fail=N or soon,fail=N, not '" + text + "'");
    }
    options.halt = when == "now" ? run::RunOptions::Halt::now : run::RunOptions::Halt::soon;
    options.halt_after_failures = parse_count("--halt fail=", text.substr(comma + 6), 1);
}

}  // namespace

int run_main(int argc, char** argv) {
    run::RunOptions options;
    std::optional<std::string> command_template;
    std::optional<std::string> jobs_file;
    std::vector<std::string> arguments;
    bool have_arguments = false;
    std::size_t max_args = 1;
    bool dry_run = false;
    tools::ArgumentReader reader(argc, argv, 2);
    while (!reader.done()) {
        const std::string arg = reader.next();
        if (have_arguments) {
            arguments.push_back(arg);
        } else if (arg == ":::") {
            have_arguments = true;
        } else if (arg == "-h" || arg == "--help") {
            std::fputs(kRunUsage, stdout);
            return 0;
        } else if (arg == "-j") {
            options.jobs = parse_count(arg, reader.value(), 1);
        } else if (arg == "-n") {
            max_args = parse_count(arg, reader.value(), 1);
        } else if (arg == "--jobs") {
            jobs_file = reader.value();
        } else if (arg == "--shell") {
            options.shell = true;
        } else if (arg == "--timeout") {
            options.timeout_s = parse_number(arg, reader.value());
        } else if (arg == "--grace") {
            options.grace_s = parse_number(arg, reader.value());
            options.grace_given = true;
        } else if (arg == "--retries") {
            options.retries = parse_count(arg, reader.value(), 0);
        } else if (arg == "--halt") {
            parse_halt(reader.value(), options);
        } else if (arg == "--rate") {
            options.rate_per_s = parse_rate(reader.value());
        } else if (arg == "--delay") {
            options.delay_s = parse_number(arg, reader.value());
        } else if (arg == "--keep-order") {
            options.keep_order = true;
        } else if (arg == "--joblog") {
            options.joblog = reader.value();
        } else if (arg == "--json") {
            options.json = true;
        } else if (arg == "--dry-run") {
            dry_run = true;
        } else if (arg == "--progress") {
            options.progress = true;
        } else if (arg == "--no-progress") {
            options.progress = false;
        } else if (arg.starts_with("-") && arg.size() > 1) {
            throw UsageError("unknown option '" + arg + "'");
        } else if (command_template) {
            throw UsageError("unexpected argument '" + arg + "' (arguments go after :::)");
        } else {
            command_template = arg;
        }
    }
    if (jobs_file && (command_template || have_arguments))
        throw UsageError("--jobs takes no template or ::: arguments");
    if (have_arguments && !command_template)
        throw UsageError("::: arguments need a command template");

    std::vector<run::JobSpec> jobs;
    if (jobs_file) {
        if (*jobs_file == "-") {
            jobs = run::jobs_from_json_lines(std::cin);
        } else {
            std::ifstream file(*jobs_file);
            if (!file)
                throw UsageError("cannot open '" + *jobs_file + "': " + std::strerror(errno));
            jobs = run::jobs_from_json_lines(file);
        }
    } else if (have_arguments) {
        jobs = run::jobs_from_arguments(*command_template, arguments, max_args);
    } else {
        if (::isatty(STDIN_FILENO) != 0)
            throw UsageError("no jobs: give ::: arguments, or lines on stdin");
        jobs = run::jobs_from_lines(std::cin, command_template, max_args);
    }
    if (dry_run) {
        for (const auto& job : jobs) {
            if (job.error.empty()) {
                std::printf("%s\n", job.command.c_str());
            } else {
                std::fprintf(stderr, "forkline run: %s\n", job.error.c_str());
            }
        }
        return 0;
    }
    return run::run_jobs(jobs, options);
}
