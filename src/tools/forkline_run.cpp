// forkline run: parse the options and job sources, then hand the jobs to the scheduler.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "input.hpp"
#include "job_source.hpp"
#include "option_numbers.hpp"
#include "options.hpp"
#include "run_options.hpp"
#include "scheduler.hpp"
#include "subcommands.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

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
single words: spaces and quotes in file names are safe. Options come before the template
(one argument: quote it), the arguments after :::; -- ends the options.

Options:
  -j, --max-procs N  commands at once, 1 to 4096 (default: the number of cores)
  -n, --max-args K   up to K arguments per command (with a template)
  --jobs FILE        read jobs from FILE as JSON lines ('-' for stdin)
  --shell            run each command with /bin/sh -c
  --timeout S        per job: SIGTERM to its process group, SIGKILL after --grace;
                     0 (the default): no timeout
  --grace S          SIGTERM -> SIGKILL delay (default 1); given, it is also how long running
                     jobs may go on after a first SIGINT
  --retries K        up to K more attempts of a failed job
  --halt WHEN,fail=N after N failed jobs stop: 'now' cancels running jobs, 'soon' lets them end
  --rate N/s|N/m     start at most N jobs per second (or minute)
  --delay S          wait S seconds between two starts
  --keep-order       print outputs in input order (default: completion order)
  --joblog FILE      GNU parallel's joblog (TSV: Seq Host Starttime JobRuntime Send Receive
                     Exitval Signal Command); in Command, backslash, tab, newline and
                     carriage return are written \\ \t \n \r, other control bytes \xNN
  --json             one JSON line per finished job (seq, command, exit_code, signal,
                     timed_out, attempts, duration, stdout, stderr; invalid UTF-8 -> U+FFFD)
  --line-buffer      print whole lines of every running job as they come (a line is never
                     cut or mixed; a job's unterminated last piece when it ends)
  -u, --ungroup      print output bytes as they come (lines of jobs may mix)
  --tag              put the job's arguments and a TAB before each output line (stdout and
                     stderr; grouped or --line-buffer)
  --tagstring STR    as --tag, with STR ({} {.} {/} {//} {#} expanded, unquoted) as the tag
  --results DIR      keep each job's output in DIR/1/ARG/{stdout,stderr,seq,signal,exitval}
                     (GNU parallel's folders), and DIR/index.jsonl (one line per job: seq,
                     exit_code, signal, timed_out, command, directory); printed too
  --dry-run          print the commands, run nothing
  --progress         progress line on stderr even when it is not a terminal
  --no-progress      no progress line, even on a terminal
  -h, --help         show this help
  --version          show the version

Each job's output is printed whole, never mixed with another's. SIGINT: the first stops new
starts, the second cancels running jobs (their whole process groups); exit 130. If the
output or the joblog cannot be written, running jobs are cancelled the same way and
forkline run fails (exit 255), or, when the reader of its output has gone (| head -1),
ends quietly by SIGPIPE.

Exit status (as GNU parallel): 0 every job succeeded; 1-100 the number of failed jobs;
101 more than 100 failed; 130/143 interrupted by SIGINT/SIGTERM; 255 bad usage or any
other error.
)";

using cli::UsageError;

// Counts (-n, --retries, --halt fail=N): far past any use, never near an overflow.
constexpr unsigned long long kMaxCount = 100000;
// --rate: job starts per second or minute.
constexpr double kMaxRate = 1e6;

double seconds(const std::string& option, const std::string& text) {
    return std::chrono::duration<double>(cli::parse_seconds(option, text)).count();
}

unsigned count(const std::string& option, const std::string& text, unsigned min) {
    return cli::parse_count_as<unsigned>(option, text, min, kMaxCount);
}

double parse_rate(const std::string& text) {
    const auto slash = text.find('/');
    const auto unit = slash == std::string::npos ? "" : text.substr(slash);
    if (unit != "/s" && unit != "/m")
        throw UsageError("--rate needs N/s or N/m, not " + cli::quoted(text));
    const double n = cli::parse_real("--rate", text.substr(0, slash), 0, kMaxRate);
    if (n <= 0) throw UsageError("--rate needs a positive rate, not " + cli::quoted(text));
    return unit == "/s" ? n : n / 60;
}

void parse_halt(const std::string& text, run::RunOptions& options) {
    const auto comma = text.find(",fail=");
    const auto when = text.substr(0, comma);
    if ((when != "now" && when != "soon") || comma == std::string::npos)
        throw UsageError("--halt needs now,fail=N or soon,fail=N, not " + cli::quoted(text));
    options.halt = when == "now" ? run::RunOptions::Halt::now : run::RunOptions::Halt::soon;
    options.halt_after_failures = count("--halt fail=", text.substr(comma + 6), 1);
}

using Output = run::RunOptions::Output;

void set_output(run::RunOptions& options, Output output) {
    if (options.output != Output::grouped && options.output != output)
        throw UsageError("--line-buffer and -u (--ungroup) contradict each other");
    options.output = output;
}

void set_tag(run::RunOptions& options, const std::string& tag) {
    if (options.tag && *options.tag != tag)
        throw UsageError("--tag and --tagstring contradict each other");
    if (tag.empty()) throw UsageError("--tagstring needs a non-empty tag");
    options.tag = tag;
}

struct Arguments {
    run::RunOptions options;
    std::optional<std::string> command_template;
    std::optional<std::string> jobs_file;  // --jobs
    bool have_arguments = false;           // ::: given
    std::vector<std::string> arguments;    // after :::
    std::optional<std::size_t> max_args;   // -n
    bool dry_run = false;
    bool progress = false;     // --progress given
    bool no_progress = false;  // --no-progress given
};

// Output modes that cannot work together.
void check_output_options(const Arguments& args) {
    const auto& options = args.options;
    const bool live = options.output != Output::grouped;
    const char* mode = options.output == Output::ungroup ? "-u" : "--line-buffer";
    if (live && options.json)
        throw UsageError(std::string(mode) + " and --json contradict each other");
    if (live && options.keep_order)
        throw UsageError(std::string(mode) + " with --keep-order is not supported");
    if (options.output == Output::ungroup && options.tag)
        throw UsageError("-u passes bytes on as they come: no lines to tag (use --line-buffer)");
    if (args.dry_run && options.results)
        throw UsageError("--dry-run runs nothing: it has no --results");
}

// Options first (getopt_long, stopping at the template); then TEMPLATE [::: ARG…].
Arguments parse_arguments(int argc, char** argv) {
    Arguments args;
    auto& options = args.options;
    const auto operands = cli::parse_options(
        argc, argv, 2, {"forkline run", kRunUsage},
        {
            {"jobs", 0, true, [&](auto& file) { args.jobs_file = file; }},
            {"shell", 0, false, [&](auto&) { options.shell = true; }},
            {"timeout", 0, true, [&](auto& s) { options.timeout_s = seconds("--timeout", s); }},
            {"grace", 0, true,
             [&](auto& s) {
                 options.grace_s = seconds("--grace", s);
                 options.grace_given = true;
             }},
            {"retries", 0, true, [&](auto& k) { options.retries = count("--retries", k, 0); }},
            {"halt", 0, true, [&](auto& when) { parse_halt(when, options); }},
            {"rate", 0, true, [&](auto& rate) { options.rate_per_s = parse_rate(rate); }},
            {"delay", 0, true, [&](auto& s) { options.delay_s = seconds("--delay", s); }},
            {"keep-order", 0, false, [&](auto&) { options.keep_order = true; }},
            {"joblog", 0, true, [&](auto& file) { options.joblog = file; }},
            {"json", 0, false, [&](auto&) { options.json = true; }},
            {"dry-run", 0, false, [&](auto&) { args.dry_run = true; }},
            {"progress", 0, false, [&](auto&) { args.progress = true; }},
            {"no-progress", 0, false, [&](auto&) { args.no_progress = true; }},
            {"max-procs", 'j', true,
             [&](auto& n) {
                 options.jobs = cli::parse_count_as<unsigned>("-j", n, 1, cli::kMaxWorkers);
             }},
            {"max-args", 'n', true, [&](auto& k) { args.max_args = count("-n", k, 1); }},
            {"line-buffer", 0, false, [&](auto&) { set_output(options, Output::line_buffer); }},
            {"ungroup", 'u', false, [&](auto&) { set_output(options, Output::ungroup); }},
            {"tag", 0, false, [&](auto&) { set_tag(options, "{}"); }},
            {"tagstring", 0, true, [&](auto& text) { set_tag(options, text); }},
            {"results", 0, true, [&](auto& dir) { options.results = dir; }},
        },
        cli::Operands::last);

    auto operand = operands.begin();
    if (operand != operands.end() && *operand != ":::") args.command_template = *operand++;
    if (operand != operands.end() && *operand == ":::") {
        args.have_arguments = true;
        args.arguments.assign(operand + 1, operands.end());
        for (const auto& argument : args.arguments) {
            if (argument.starts_with(":::"))
                throw UsageError("one ::: source only, not a second " + cli::quoted(argument));
        }
    } else if (operand != operands.end()) {
        throw UsageError("unexpected argument " + cli::quoted(*operand) +
                         " after the template: quote the whole command as one argument; "
                         "options go before it, arguments after :::");
    }

    if (args.progress && args.no_progress)
        throw UsageError("--progress and --no-progress contradict each other");
    if (args.progress || args.no_progress) options.progress = args.progress;
    if (args.dry_run && options.json)
        throw UsageError("--dry-run runs nothing: it has no --json results");
    if (args.dry_run && options.joblog)
        throw UsageError("--dry-run runs nothing: it has no --joblog");
    check_output_options(args);
    if (args.jobs_file && (args.command_template || args.have_arguments))
        throw UsageError("--jobs takes no template or ::: arguments");
    if (args.have_arguments && !args.command_template)
        throw UsageError("::: arguments need a command template");
    if (args.max_args && !args.command_template)
        throw UsageError("-n groups the arguments of a template: give one");
    return args;
}

std::vector<run::JobSpec> read_jobs(const Arguments& args) {
    if (args.jobs_file) {
        std::istringstream lines(cli::read_input(*args.jobs_file));
        return run::jobs_from_json_lines(lines);
    }
    const auto max_args = args.max_args.value_or(1);
    if (args.have_arguments)
        return run::jobs_from_arguments(*args.command_template, args.arguments, max_args);
    if (::isatty(STDIN_FILENO) != 0)
        throw UsageError("no jobs: give ::: arguments, or lines on stdin");
    std::istringstream lines(cli::read_input("-"));
    return run::jobs_from_lines(lines, args.command_template, max_args);
}

// Prints the commands; jobs that could not be built count as failed, as in a real run.
int print_dry_run(const std::vector<run::JobSpec>& jobs) {
    std::size_t failed = 0;
    for (const auto& job : jobs) {
        if (job.error.empty()) {
            std::printf("%s\n", job.command.c_str());
        } else {
            std::fprintf(stderr, "forkline run: %s\n", job.error.c_str());
            ++failed;
        }
    }
    return static_cast<int>(std::min<std::size_t>(failed, 101));
}

}  // namespace

int run_main(int argc, char** argv) {
    const auto args = parse_arguments(argc, argv);
    const auto jobs = read_jobs(args);
    if (args.dry_run) return print_dry_run(jobs);
    return run::run_jobs(jobs, args.options);
}
