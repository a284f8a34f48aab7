// forkline run: parse the options and job sources, then hand the jobs to the scheduler.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <forkline/forkline.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "halt_policy.hpp"
#include "job_shell.hpp"
#include "job_slots.hpp"
#include "job_source.hpp"
#include "line_jobs.hpp"
#include "option_numbers.hpp"
#include "options.hpp"
#include "output.hpp"
#include "resume.hpp"
#include "run_options.hpp"
#include "scheduler.hpp"
#include "shell_quote.hpp"
#include "subcommands.hpp"
#include "template_jobs.hpp"
#include "tool.hpp"
#include "unsupported_options.hpp"
#include "usage_error.hpp"

namespace {

constexpr const char* kRunUsage = R"(usage: forkline run [OPTIONS] [TEMPLATE [SOURCE…]]

Run commands in parallel on a pool of worker processes.
  forkline run -j 4 'gzip -9 {}' ::: *.log          template + arguments
  find . -name '*.log' | forkline run 'gzip -9 {}'  arguments from stdin, one per line
  forkline run -j 4 < commands.txt                  one command (a pipeline) per line
  forkline run --json-jobs jobs.jsonl               {"cmd": "…", "timeout": 5, "input": "…"}

Each command is a pipeline run without a shell (see runpipe --help for the syntax) unless
--shell. Placeholders: {} the argument(s), {.} without extension, {/} basename, {//} dirname,
{/.} basename without extension, {#} the job number, {%} the job slot (1 to -j), {N} {N.}
{N/} {N//} {N/.} the N-th argument; an unknown {…} stays as it is ({= perl =} is
refused). Without any, the arguments are appended. Each argument becomes part of its word
exactly as it is, also inside '…' or "…": any file name is safe. Options come before the
template, the arguments after :::; -- ends the options. A template of several words
(gzip -9) is joined with spaces as GNU parallel joins it ('|' stays a pipe), but a word
with a blank or a quote stays one word, as xargs passes it (grep -l 'a b').

Options:
  -j, -P, --jobs, --max-procs N
                     commands at once, 1 to 4096 (default: the number of cores); N% of
                     the cores; +N / -N: the cores plus / minus N (at least 1); 0: as many
                     as the limits allow (4096, open files, RLIMIT_NPROC). Never more
                     workers than jobs when the input ends within N (::: a: one)
  -n, --max-args K   up to K arguments per command (with a template)
  -N, --max-replace-args K
                     K arguments per command (the last may have fewer), {1}…{K};
                     0: a command per argument, with none of it (as GNU parallel)
  -m                 as many arguments per command as fit 128 KiB
  -X                 the same, each word holding {} repeated for each argument
  -I STR             STR is the placeholder for the argument(s), instead of {}
  -i, --replace[=STR]  the same (STR by default {}), as xargs
  --json-jobs FILE   read jobs from FILE as JSON lines ('-' for stdin); this was --jobs,
                     which is now GNU parallel's -j
  --shell[=SHELL]    run each command with SHELL -c (a name in PATH or a path; default
                     $PARALLEL_SHELL, else /bin/sh); bash runs export -f functions.
                     --shell SHELL: the next word is the shell when it is a shell's name
                     (sh bash dash ksh mksh zsh ash yash fish) or an absolute path and
                     no ::: follows it (--shell -- bash: bash is the template).
                     $PARALLEL_SHELL set, without --shell: as --shell=$PARALLEL_SHELL
  --timeout S|N%     per job: SIGTERM to its process group, SIGKILL after --grace;
                     0 (the default): no timeout. N%: N% of the median runtime of the jobs
                     that succeeded so far (as GNU parallel), from the first success on;
                     a job's limit is set when it starts
  --grace S          SIGTERM -> SIGKILL delay (default 1); given, it is also how long running
                     jobs may go on after a first SIGINT
  --retries K        up to K more attempts of a failed job
  --halt WHEN,WHY=N  stop after N jobs (N%: N% of all the jobs, once the input has ended)
                     failed (WHY fail), succeeded (success) or ended (done): WHEN 'now'
                     cancels running jobs, 'soon' lets them end; GNU's 0 1 2 -1 -2 N% too.
                     Exit status then as GNU: 0 after success; the job's status after
                     fail=1 / done=1; the % of failed jobs with N%; else the failed count
  --rate N/s|N/m     start at most N jobs per second (or minute)
  --delay S          wait S seconds between two starts
  -k, --keep-order   print outputs in input order (default: completion order); a job
                     that ends far ahead of a slow one is held, but at most 1000 jobs or
                     16 MiB of output: then no new job starts until the slow one ends.
                     In any order, a job still running lets at most 127 jobs (or 2 x -j)
                     start after it (the shared queue's length), then starts wait for it
  --joblog [+]FILE   GNU parallel's joblog (TSV: Seq Host Starttime JobRuntime Send Receive
                     Exitval Signal Command); +FILE appends. In Command, backslash, tab,
                     newline and carriage return are written \\ \t \n \r, other control
                     bytes \xNN; a job with stdin input ends in ' #\input=sha256:HEX' (HEX:
                     sha256sum of the input). One write per line: a SIGKILL never cuts one
  --joblog-sync S|job  fdatasync the joblog at most S seconds after a line (default 1) and
                     at the end, so power loss costs at most S seconds of the journal; 'job':
                     after every line (2000 x true, -j 2: 5 s instead of 1.5 s here)
  --resume           with --joblog: skip the jobs it has (done or failed), append the rest;
                     jobs cancelled (Ctrl-C twice, SIGTERM, --halt now) are not in it
  --resume-failed    with --joblog: skip the jobs it has done (Exitval and Signal 0), run
                     the failed ones again and the rest
  --retry-failed     run the failed jobs of --joblog again: the commands come from it (the
                     command line's jobs are ignored), with the same --shell as before
  --json             one JSON line per finished job (seq, command, exit_code, signal,
                     timed_out, attempts, duration, stdout, stderr; invalid UTF-8 -> U+FFFD)
  --line-buffer, --lb
                     print whole lines of every running job as they come (a line is never
                     cut or mixed; a job's unterminated last piece when it ends)
  -u, --ungroup      print output bytes as they come (lines of jobs may mix)
  --group            each job's output whole when it ends (the default)
  --tag              put the job's arguments and a TAB before each output line (stdout and
                     stderr; grouped or --line-buffer)
  --tagstring STR    as --tag, with STR (placeholders expanded, unquoted) as the tag
  --results, --res DIR
                     keep each job's output in DIR/1/ARG/{stdout,stderr,seq,signal,exitval}
                     (GNU parallel's folders), and DIR/index.jsonl (one line per job: seq,
                     exit_code, signal, timed_out, command, directory); printed too
  --dry-run          print the commands, run nothing
  --progress, --bar, --eta
                     progress line on stderr even when it is not a terminal (done,
                     running, failed, rate; the total and ETA once the input has ended)
  --no-progress      no progress line, even on a terminal
  -r, --no-run-if-empty  no job for an empty (or blank) record of a file or stdin
  --will-cite, --no-notice
                     accepted for GNU scripts: forkline prints no notice
Input sources (after the template; as GNU parallel):
  ::: ARG…           arguments; several ::: give every combination, the last fastest;
                     without a template each ARG is a command (as GNU parallel)
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
first. An empty line is an empty argument (as GNU parallel) unless -r; in a command file
blank lines and # comments are skipped.

  -h, --help         show this help
  --version          show the version

Each job's output is printed whole, never mixed with another's. SIGINT: the first stops new
starts, the second cancels running jobs (their whole process groups); exit 130. If the
output or the joblog cannot be written, running jobs are cancelled the same way and
forkline run fails (exit 255), or, when the reader of its output has gone (| head -1),
ends quietly by SIGPIPE.

GNU parallel options that forkline does not support (--pipe, -S, --semaphore, --env, …)
are refused, each with one line naming it (exit 255), never ignored.

Resuming: GNU parallel matches joblog lines to jobs by Seq; forkline matches by the
Command column (the expanded command, plus its input's digest), so a changed job list
runs exactly its new or changed jobs. Identical jobs are counted: N done skip the first N.
A command with {%} differs between runs. A joblog's last line cut by power loss is ignored
with a warning (and cut off before appending); a bad line before it is an error. Skipped
jobs count as done, not in the exit status; at the end stderr says how many were
skipped: forkline run: N skipped (done in joblog 'FILE').

Exit status (as GNU parallel): 0 every job succeeded; 1-100 the number of failed jobs;
101 more than 100 failed; 130/143 interrupted by SIGINT/SIGTERM; 255 bad usage or any
other error.
)";

using cli::UsageError;

// Counts (-n, --retries): far past any use, never near an overflow.
constexpr unsigned long long kMaxCount = 100000;
// --rate: job starts per second or minute.
constexpr double kMaxRate = 1e6;
// --timeout N%: of the median runtime (GNU: only values above 100 make sense).
constexpr double kMaxTimeoutPercent = 1e6;

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

// --timeout S or N% (GNU parallel's percentage of the median runtime).
void parse_timeout(const std::string& text, run::RunOptions& options) {
    if (text.ends_with('%')) {
        options.timeout_percent =
            cli::parse_real("--timeout", text.substr(0, text.size() - 1), 0, kMaxTimeoutPercent);
        if (options.timeout_percent <= 0)
            throw UsageError("--timeout N% needs N above 0, not " + cli::quoted(text));
        return;
    }
    options.timeout_s = seconds("--timeout", text);
}

using Output = run::RunOptions::Output;

void set_tag(run::RunOptions& options, const std::string& tag) {
    if (options.tag && *options.tag != tag)
        throw UsageError("--tag and --tagstring contradict each other");
    if (tag.empty()) throw UsageError("--tagstring needs a non-empty tag");
    try {
        run::CommandTemplate checked(tag, {});  // the scheduler expands it as a template
    } catch (const UsageError& e) {
        throw UsageError("--tagstring " + cli::quoted(tag) +
                         " is read as a template is, and cannot be: " + e.what());
    }
    options.tag = tag;
}

using Resume = run::RunOptions::Resume;

// --joblog +FILE appends (GNU parallel); ./+FILE names a file that starts with '+'.
void parse_joblog(const std::string& text, run::RunOptions& options) {
    options.joblog_append = options.joblog_append || text.starts_with('+');
    options.joblog = text.starts_with('+') ? text.substr(1) : text;
    if (options.joblog->empty()) throw UsageError("--joblog needs a file name");
}

double sync_interval(const std::string& text) {
    if (text == "job") return 0;
    const double interval = seconds("--joblog-sync", text);
    if (interval <= 0) throw UsageError("--joblog-sync needs seconds > 0 or 'job'");
    return interval;
}

void resume(run::RunOptions& options, Resume mode) {
    if (options.resume != Resume::none && options.resume != mode)
        throw UsageError("--resume, --resume-failed and --retry-failed exclude each other");
    options.resume = mode;
    options.joblog_append = true;  // the joblog is the journal: what it has stays
}

struct Arguments {
    run::RunOptions options;
    std::optional<std::string> command_template;
    std::optional<std::string> jobs_file;     // --json-jobs
    std::vector<run::InputSource> arg_files;  // -a FILE…
    std::vector<run::InputSource> sources;    // after the template: ::: :::+ :::: ::::+
    run::RecordSettings records;              // -0, -d, --colsep, --header, --link, -r
    bool null = false;                        // -0 given
    run::TemplateSettings template_settings;  // -I, -m, -X, -N
    run::BatchSettings batching;              // -n, -N, -m, -X
    bool grouping = false;                    // one of -I -n -N -m -X given
    bool counted = false;                     // -n or -N given
    bool dry_run = false;
    bool progress = false;                  // --progress given
    bool no_progress = false;               // --no-progress given
    bool shell_flag = false;                // a bare --shell
    std::optional<std::string> shell_name;  // --shell=SHELL, or the word after --shell
    bool output_given = false;              // --group, --line-buffer or -u
};

// --group, --line-buffer, -u: one of them (GNU parallel takes the last one silently).
void set_output(Arguments& args, Output output) {
    constexpr const char* kNames[] = {"--group", "--line-buffer", "-u (--ungroup)"};
    const auto name = [&](Output o) { return std::string(kNames[static_cast<int>(o)]); };
    if (args.output_given && args.options.output != output)
        throw UsageError(name(args.options.output) + " and " + name(output) +
                         " contradict each other");
    args.output_given = true;
    args.options.output = output;
}

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

// -j and its spellings (run/job_slots.hpp).
void set_job_slots(Arguments& args, const std::string& option, const std::string& text) {
    args.options.jobs = run::parse_job_slots(option, text, forkline::available_cores());
}

// --shell, --shell=SHELL, --shell SHELL and $PARALLEL_SHELL (run/job_shell.hpp). The word
// after a bare --shell is the first operand (getopt stopped there): it is taken as the
// shell, and removed from `operands`, only when --shell is the argument right before it.
void choose_shell(Arguments& args, int argc, char** argv, std::vector<std::string>& operands) {
    const int first = argc - static_cast<int>(operands.size());
    if (args.shell_flag && !args.shell_name && !operands.empty() &&
        std::string_view(argv[first - 1]) == "--shell" && run::names_a_shell(operands[0]) &&
        (operands.size() < 2 || !operands[1].starts_with(":::"))) {
        args.shell_name = operands.front();
        operands.erase(operands.begin());
    }
    const char* parallel_shell = std::getenv("PARALLEL_SHELL");
    const bool from_environment = parallel_shell != nullptr && *parallel_shell != 0;
    if (args.shell_name) {
        args.options.shell_program = run::find_shell("--shell", *args.shell_name);
    } else if (from_environment) {
        args.options.shell_program = run::find_shell("$PARALLEL_SHELL", parallel_shell);
    }
    args.options.shell = args.shell_flag || from_environment;
}

bool is_source_marker(const std::string& operand) {
    return operand == ":::" || operand == ":::+" || operand == "::::" || operand == "::::+";
}

// --header: only ':' (the first record names the columns), as people use it.
bool parse_header(const std::string& text) {
    if (text != ":") throw UsageError("--header takes ':' (the first record names the columns)");
    return true;
}

// A template given as several words (`forkline run gzip -9`, `echo {2} {1}`) is joined with
// spaces, as GNU parallel joins it, so that `'|'` or `'>'` stays an operator; but a word
// holding a blank or a quote stays one word (`grep -l 'a b'`), as xargs passes it.
void add_template_word(std::optional<std::string>& command_template, const std::string& word) {
    if (!command_template) {  // the first word as it is: `'gzip -9 {}'` is the usual one
        command_template = word;
        return;
    }
    *command_template += ' ';
    if (word.find_first_of(" \t\n'\"\\") == std::string::npos) {
        *command_template += word;
    } else {
        forkline::append_quoted(*command_template, word, forkline::QuoteContext::unquoted);
    }
}

// TEMPLATE, then the input sources: `::: ARG…` and `:::+ ARG…` (one source each), `:::: FILE…`
// and `::::+ FILE…` (a source per file); -a files go first (GNU's order).
void parse_sources(const std::vector<std::string>& operands, Arguments& args) {
    auto operand = operands.begin();
    for (; operand != operands.end() && !is_source_marker(*operand); ++operand)
        add_template_word(args.command_template, *operand);
    args.sources = args.arg_files;
    const auto source_starts = [&](auto at) {
        return at == operands.end() || is_source_marker(*at);
    };
    for (; operand != operands.end(); ++operand) {
        if (!is_source_marker(*operand)) {
            args.sources.back().values.push_back(*operand);
            continue;
        }
        const bool linked = operand->ends_with("+");
        if (!operand->starts_with("::::")) {
            args.sources.push_back({.values = {}, .path = std::nullopt, .linked = linked});
            continue;
        }
        if (source_starts(operand + 1)) throw UsageError(*operand + " needs a file name");
        for (bool first = true; !source_starts(operand + 1); first = false)
            args.sources.push_back({.values = {}, .path = *++operand, .linked = first && linked});
    }
    if (args.null) {
        if (args.records.separator != "\n") throw UsageError("-0 and -d contradict each other");
        args.records.separator = std::string(1, '\0');
    }
}

// Options first (getopt_long, stopping at the template); then TEMPLATE [SOURCE…].
Arguments parse_arguments(int argc, char** argv) {
    Arguments args;
    auto& options = args.options;
    // -I, -n, -N, -m, -X: how arguments go into the template.
    const auto replace = [&](const std::string& text) {
        args.template_settings.replacement = text.empty() ? "{}" : text;
        args.grouping = true;
    };
    const auto group = [&](const std::string& option, const std::string& k, bool exact) {
        args.batching.max_records = count(option, k, 1);
        args.template_settings.exact_records = exact ? args.batching.max_records : 0;
        args.grouping = args.counted = true;
    };
    const auto fill = [&](run::ReplaceMode mode) {
        args.template_settings.mode = mode;
        args.batching.fill_command_line = args.grouping = true;
    };
    std::vector<cli::Option> known{
        {"json-jobs", 0, true, [&](auto& file) { args.jobs_file = file; }},
        {"shell", 0, true,
         [&](auto& name) {
             args.shell_flag = true;
             if (!name.empty()) args.shell_name = name;
         },
         true},
        {"timeout", 0, true, [&](auto& s) { parse_timeout(s, options); }},
        {"grace", 0, true,
         [&](auto& s) {
             options.grace_s = seconds("--grace", s);
             options.grace_given = true;
         }},
        {"retries", 0, true, [&](auto& k) { options.retries = count("--retries", k, 0); }},
        {"halt", 0, true, [&](auto& when) { options.halt = run::parse_halt(when); }},
        {"rate", 0, true, [&](auto& rate) { options.rate_per_s = parse_rate(rate); }},
        {"delay", 0, true, [&](auto& s) { options.delay_s = seconds("--delay", s); }},
        {"keep-order", 'k', false, [&](auto&) { options.keep_order = true; }},
        {"joblog", 0, true, [&](auto& file) { parse_joblog(file, options); }},
        {"joblog-sync", 0, true, [&](auto& s) { options.joblog_sync_s = sync_interval(s); }},
        {"resume", 0, false, [&](auto&) { resume(options, Resume::resume); }},
        {"resume-failed", 0, false, [&](auto&) { resume(options, Resume::resume_failed); }},
        {"retry-failed", 0, false, [&](auto&) { resume(options, Resume::retry_failed); }},
        {"json", 0, false, [&](auto&) { options.json = true; }},
        {"dry-run", 0, false, [&](auto&) { args.dry_run = true; }},
        {"progress", 0, false, [&](auto&) { args.progress = true; }},
        {"bar", 0, false, [&](auto&) { args.progress = true; }},
        {"eta", 0, false, [&](auto&) { args.progress = true; }},
        {"no-run-if-empty", 'r', false, [&](auto&) { args.records.skip_blank = true; }},
        {"will-cite", 0, false, [](auto&) {}},  // forkline prints no notice
        {"no-notice", 0, false, [](auto&) {}},
        {"no-progress", 0, false, [&](auto&) { args.no_progress = true; }},
        {"max-procs", 'j', true, [&](auto& n) { set_job_slots(args, "-j", n); }},
        {"jobs", 0, true, [&](auto& n) { set_job_slots(args, "--jobs", n); }},
        {nullptr, 'P', true, [&](auto& n) { set_job_slots(args, "-P", n); }},
        {"max-args", 'n', true, [&](auto& k) { group("-n", k, false); }},
        {nullptr, 'I', true,
         [&](auto& text) {
             replace(text);
             args.template_settings.replacement = text;  // "" is refused
         }},
        {"replace", 'i', true, replace, true},
        {"max-replace-args", 'N', true,
         [&](auto& k) {
             args.template_settings.insert_none = k == "0";  // GNU's -N0: run once per record
             group("-N", args.template_settings.insert_none ? "1" : k, true);
         }},
        {nullptr, 'm', false, [&](auto&) { fill(run::ReplaceMode::multiple); }},
        {nullptr, 'X', false, [&](auto&) { fill(run::ReplaceMode::context); }},
        {"line-buffer", 0, false, [&](auto&) { set_output(args, Output::line_buffer); }},
        {"lb", 0, false, [&](auto&) { set_output(args, Output::line_buffer); }},
        {"ungroup", 'u', false, [&](auto&) { set_output(args, Output::ungroup); }},
        {"group", 0, false, [&](auto&) { set_output(args, Output::grouped); }},
        {"tag", 0, false, [&](auto&) { set_tag(options, "{}"); }},
        {"tagstring", 0, true, [&](auto& text) { set_tag(options, text); }},
        {"results", 0, true, [&](auto& dir) { options.results = dir; }},
        {"res", 0, true, [&](auto& dir) { options.results = dir; }},
        // Input sources and separators (run/argument_records.hpp).
        {"arg-file", 'a', true,
         [&](auto& file) { args.arg_files.push_back({.values = {}, .path = file}); }},
        {"null", '0', false, [&](auto&) { args.null = true; }},
        {"delimiter", 'd', true,
         [&](auto& d) { args.records.separator = run::parse_delimiter(d); }},
        {"colsep", 0, true, [&](auto& regex) { args.records.column_separator = regex; }},
        {"header", 0, true, [&](auto& header) { args.records.header = parse_header(header); }},
        {"link", 0, false, [&](auto&) { args.records.link = true; }},
    };
    auto refused = run::unsupported_gnu_options();
    known.insert(known.end(), refused.begin(), refused.end());
    auto operands = cli::parse_options(argc, argv, 2, {"forkline run", kRunUsage}, std::move(known),
                                       cli::Operands::last);
    choose_shell(args, argc, argv, operands);

    parse_sources(operands, args);

    if (args.progress && args.no_progress)
        throw UsageError("--progress (--bar, --eta) and --no-progress contradict each other");
    if (args.progress || args.no_progress) options.progress = args.progress;
    if (args.dry_run && options.json)
        throw UsageError("--dry-run runs nothing: it has no --json results");
    if (args.dry_run && options.joblog)
        throw UsageError("--dry-run runs nothing: it has no --joblog");
    check_output_options(args);
    if (options.resume != Resume::none && !options.joblog)
        throw UsageError("--resume, --resume-failed and --retry-failed need --joblog FILE");
    if (args.jobs_file && (args.command_template || !args.sources.empty()))
        throw UsageError("--json-jobs takes no template or input sources");
    if (!args.command_template && args.sources.size() > 1)
        throw UsageError("several input sources need a command template");
    if (args.grouping && !args.command_template)
        throw UsageError("-I, -n, -N, -m and -X work on a template: give one");
    if (!args.command_template && (args.records.column_separator || args.records.header))
        throw UsageError("--colsep and --header name the columns of a template's arguments");
    args.template_settings.shell = options.shell;
    if (args.batching.fill_command_line && !args.counted) args.batching.max_records = 0;
    return args;
}

// The jobs, read as they come: the first input source streams (stdin by default). A
// template is made into `command` (which outlives the jobs) once the sources' --header
// named its columns.
std::unique_ptr<run::JobStream> open_jobs(Arguments& args,
                                          std::optional<run::CommandTemplate>& command) {
    if (args.options.resume == Resume::retry_failed) {
        if (args.jobs_file || args.command_template || !args.sources.empty()) {
            std::fprintf(stderr,
                         "forkline run: warning: --retry-failed runs the commands of the "
                         "joblog: the command line's jobs are ignored (as GNU parallel)\n");
        }
        return std::make_unique<run::JobList>(run::jobs_to_retry(*args.options.joblog));
    }
    if (args.jobs_file) {
        return std::make_unique<run::LineJobs>(run::RecordReader(*args.jobs_file, "\n"),
                                               run::LineJobs::Format::json_lines);
    }
    if (args.sources.empty() && ::isatty(STDIN_FILENO) != 0)
        throw UsageError("no jobs: give ::: arguments, or lines on stdin");
    if (!args.command_template && !args.sources.empty() && !args.sources.front().path) {
        std::vector<run::JobSpec> commands;  // `parallel ::: 'cmd1' 'cmd2'`: each one a job
        for (auto& value : args.sources.front().values) {
            auto& job = commands.emplace_back();
            job.seq = commands.size();
            job.command = std::move(value);
        }
        return std::make_unique<run::JobList>(std::move(commands));
    }
    if (!args.command_template) {
        const auto path = args.sources.empty() ? "-" : *args.sources.front().path;
        return std::make_unique<run::LineJobs>(run::RecordReader(path, args.records.separator),
                                               run::LineJobs::Format::commands);
    }
    run::ArgumentRecords records(args.sources, args.records);
    args.template_settings.column_names = records.column_names();
    command.emplace(*args.command_template, args.template_settings);
    return std::make_unique<run::TemplateJobs>(*command, std::move(records), args.batching);
}

// Prints the commands as the input comes (flushed whenever the input is awaited), with {%}
// as if each job ran after the one -j before it (as GNU parallel); jobs that could not be
// built count as failed, as in a real run.
int print_dry_run(run::JobStream& jobs, unsigned workers) {
    std::size_t failed = 0;
    for (std::size_t i = 0;; ++i) {
        auto job = run::next_waiting(jobs, [] { cli::check_output(stdout); });
        if (!job) break;
        if (job->error.empty()) {
            try {
                const auto command = run::command_text(*job, unsigned(i % workers) + 1);
                std::printf("%s\n", command.c_str());
                continue;
            } catch (const run::ExpandError& e) {
                job->error = run::error_prefix(*job) + e.what();
            }
        }
        std::fprintf(stderr, "forkline run: %s\n", job->error.c_str());
        ++failed;
    }
    return static_cast<int>(std::min<std::size_t>(failed, 101));
}

}  // namespace

int run_main(int argc, char** argv) {
    auto args = parse_arguments(argc, argv);
    std::optional<run::CommandTemplate> command;
    const auto jobs = open_jobs(args, command);
    if (args.dry_run)
        return print_dry_run(
            *jobs, args.options.jobs != 0 ? args.options.jobs : forkline::available_cores());
    // What is ready now is read ahead (at most -j jobs, so as many as the first starts take):
    // when the input ends within -j jobs, the workers are bounded by them (as GNU parallel;
    // `-j 1000 cmd ::: a` starts one, not 1000); --halt WHY=N% needs the total (GNU parallel
    // reads the whole input first; here what has arrived: a ::: list or a file whole, a pipe
    // as far as it was written).
    const bool percent_halt = args.options.halt.percent > 0;
    run::ReadAhead ahead(*jobs, percent_halt ? SIZE_MAX : args.options.jobs);
    if (const auto total = jobs->total())
        args.options.jobs = static_cast<unsigned>(
            std::min<std::size_t>(args.options.jobs, std::max<std::size_t>(*total, 1)));
    return run::run_jobs(ahead, args.options);
}
