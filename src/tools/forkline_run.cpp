// forkline run: parse the options and job sources, then hand the jobs to the scheduler.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "job_source.hpp"
#include "line_jobs.hpp"
#include "option_numbers.hpp"
#include "options.hpp"
#include "output.hpp"
#include "run_options.hpp"
#include "scheduler.hpp"
#include "subcommands.hpp"
#include "template_jobs.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace {

constexpr const char* kRunUsage = R"(usage: forkline run [OPTIONS] [TEMPLATE [SOURCE…]]

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
  --keep-order       print outputs in input order (default: completion order); a job
                     that ends far ahead of a slow one is held, but at most 1000 jobs or
                     16 MiB of output: then no new job starts until the slow one ends
  --joblog FILE      GNU parallel's joblog (TSV: Seq Host Starttime JobRuntime Send Receive
                     Exitval Signal Command); in Command, backslash, tab, newline and
                     carriage return are written \\ \t \n \r, other control bytes \xNN
  --json             one JSON line per finished job (seq, command, exit_code, signal,
                     timed_out, attempts, duration, stdout, stderr; invalid UTF-8 -> U+FFFD)
  --dry-run          print the commands, run nothing
  --progress         progress line on stderr even when it is not a terminal (done,
                     running, failed, rate; the total and ETA once the input has ended)
  --no-progress      no progress line, even on a terminal
Input sources (after the template; as GNU parallel):
  ::: ARG…           arguments; several ::: give every combination, the last fastest
  :::+ ARG…          arguments zipped with the source before it (as many as the shorter)
  :::: FILE…         each FILE's records a source ('-': stdin); ::::+ zips as :::+
  -a, --arg-file F   the same before the other sources (may be repeated)
  --link             zip every source; the shorter ones wrap around
  -0, --null         records end with a NUL byte (default: a newline)
  -d, --delimiter D  records end with D (\n \t \r \0 \\ escapes)
  --colsep REGEX     split each record into columns {1}…{N}
  --header :         the first record of each source names its columns: {name}
Records are read as they arrive (a slow pipe, a FIFO that never closes: each job starts
once its record is complete). Only the first source streams; the others are read whole
first. An empty line is an empty argument (GNU's behaviour); in a command file blank lines
and # comments are skipped.

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

struct Arguments {
    run::RunOptions options;
    std::optional<std::string> command_template;
    std::optional<std::string> jobs_file;     // --jobs
    std::vector<run::InputSource> arg_files;  // -a FILE…
    std::vector<run::InputSource> sources;    // after the template: ::: :::+ :::: ::::+
    run::RecordSettings records;              // -0, -d, --colsep, --header, --link
    bool null = false;                        // -0 given
    std::optional<std::size_t> max_args;      // -n
    bool dry_run = false;
    bool progress = false;     // --progress given
    bool no_progress = false;  // --no-progress given
};

bool is_source_marker(const std::string& operand) {
    return operand == ":::" || operand == ":::+" || operand == "::::" || operand == "::::+";
}

// --header: only ':' (the first record names the columns), as people use it.
bool parse_header(const std::string& text) {
    if (text != ":") throw UsageError("--header takes ':' (the first record names the columns)");
    return true;
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
            // Input sources and separators (see argument_records.hpp).
            {"arg-file", 'a', true,
             [&](auto& file) { args.arg_files.push_back({.values = {}, .path = file}); }},
            {"null", '0', false, [&](auto&) { args.null = true; }},
            {"delimiter", 'd', true,
             [&](auto& d) { args.records.separator = run::parse_delimiter(d); }},
            {"colsep", 0, true, [&](auto& regex) { args.records.column_separator = regex; }},
            {"header", 0, true, [&](auto& header) { args.records.header = parse_header(header); }},
            {"link", 0, false, [&](auto&) { args.records.link = true; }},
        },
        cli::Operands::last);

    auto operand = operands.begin();
    if (operand != operands.end() && !is_source_marker(*operand))
        args.command_template = *operand++;
    if (operand != operands.end() && !is_source_marker(*operand)) {
        throw UsageError("unexpected argument " + cli::quoted(*operand) +
                         " after the template: quote the whole command as one argument; "
                         "options go before it, arguments after :::");
    }
    for (; operand != operands.end(); ++operand) {
        if (!is_source_marker(*operand)) {
            args.sources.back().values.push_back(*operand);
            continue;
        }
        const bool files = operand->starts_with("::::");
        const bool linked = operand->ends_with("+");
        if (files) {  // each file its own source, the first linked as the marker says
            if (operand + 1 == operands.end() || is_source_marker(*(operand + 1)))
                throw UsageError(*operand + " needs a file name");
            for (bool first = true;
                 operand + 1 != operands.end() && !is_source_marker(*(operand + 1)); first = false)
                args.sources.push_back(
                    {.values = {}, .path = *++operand, .linked = first && linked});
        } else {
            args.sources.push_back({.values = {}, .path = std::nullopt, .linked = linked});
        }
    }
    if (args.null) {
        if (args.records.separator != "\n") throw UsageError("-0 and -d contradict each other");
        args.records.separator = std::string(1, '\0');
    }

    if (args.progress && args.no_progress)
        throw UsageError("--progress and --no-progress contradict each other");
    if (args.progress || args.no_progress) options.progress = args.progress;
    if (args.dry_run && options.json)
        throw UsageError("--dry-run runs nothing: it has no --json results");
    if (args.dry_run && options.joblog)
        throw UsageError("--dry-run runs nothing: it has no --joblog");
    // -a files come before the ::: and :::: sources, as in GNU parallel.
    args.sources.insert(args.sources.begin(), args.arg_files.begin(), args.arg_files.end());
    if (args.jobs_file && (args.command_template || !args.sources.empty()))
        throw UsageError("--jobs takes no template or input sources");
    if (!args.command_template && args.sources.size() > 1)
        throw UsageError("several input sources need a command template");
    if (!args.command_template && !args.sources.empty() && !args.sources.front().path)
        throw UsageError("::: arguments need a command template");
    if (args.max_args && !args.command_template)
        throw UsageError("-n groups the arguments of a template: give one");
    if (!args.command_template && (args.records.column_separator || args.records.header))
        throw UsageError("--colsep and --header name the columns of a template's arguments");
    return args;
}

// The jobs, read as they come: the first input source streams (stdin by default).
std::unique_ptr<run::JobStream> open_jobs(const Arguments& args) {
    if (args.jobs_file) {
        return std::make_unique<run::LineJobs>(run::RecordReader(*args.jobs_file, "\n"),
                                               run::LineJobs::Format::json_lines);
    }
    if (args.sources.empty() && ::isatty(STDIN_FILENO) != 0)
        throw UsageError("no jobs: give ::: arguments, or lines on stdin");
    if (!args.command_template) {
        const auto path = args.sources.empty() ? "-" : *args.sources.front().path;
        return std::make_unique<run::LineJobs>(run::RecordReader(path, args.records.separator),
                                               run::LineJobs::Format::commands);
    }
    return std::make_unique<run::TemplateJobs>(*args.command_template,
                                               run::ArgumentRecords(args.sources, args.records),
                                               args.max_args.value_or(1));
}

// Prints the commands as the input comes (flushed whenever the input is awaited); jobs
// that could not be built count as failed, as in a real run.
int print_dry_run(run::JobStream& jobs) {
    std::size_t failed = 0;
    while (auto job = run::next_waiting(jobs, [] { cli::check_output(stdout); })) {
        if (job->error.empty()) {
            try {
                std::printf("%s\n", run::command_text(*job, 1).c_str());
                continue;
            } catch (const std::runtime_error& e) {
                job->error = run::where(*job) + e.what();
            }
        }
        std::fprintf(stderr, "forkline run: %s\n", job->error.c_str());
        ++failed;
    }
    return static_cast<int>(std::min<std::size_t>(failed, 101));
}

}  // namespace

int run_main(int argc, char** argv) {
    const auto args = parse_arguments(argc, argv);
    const auto jobs = open_jobs(args);
    if (args.dry_run) return print_dry_run(*jobs);
    return run::run_jobs(*jobs, args.options);
}
