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
#include <utility>
#include <vector>

#include "forkline_run_usage.hpp"
#include "halt_policy.hpp"
#include "job_shell.hpp"
#include "job_slots.hpp"
#include "job_source.hpp"
#include "line_jobs.hpp"
#include "option_numbers.hpp"
#include "options.hpp"
#include "output.hpp"
#include "platform.hpp"
#include "redis_target.hpp"
#include "resume.hpp"
#include "run_options.hpp"
#include "scheduler.hpp"
#include "shell_quote.hpp"
#include "subcommands.hpp"
#include "template_jobs.hpp"
#include "tool.hpp"
#include "unsupported_options.hpp"
#include "usage_error.hpp"
#include "utf8_path.hpp"

namespace {

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
    options.joblog = forkline::utf8_path(text.starts_with('+') ? text.substr(1) : text);
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
    std::optional<std::pair<std::string, std::string>> job_slots;  // -j and its text
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

// -j and its spellings (run/job_slots.hpp), read once every option is known: with --redis
// it counts the local command workers, 0 to 4096 (default 0: worker hosts only).
void set_job_slots(Arguments& args, const std::string& option, const std::string& text) {
    args.job_slots.emplace(option, text);
}

void resolve_job_slots(Arguments& args) {
    if (!args.options.redis_url.empty()) {
        if (args.job_slots)
            args.options.jobs = cli::parse_count_as<unsigned>(
                args.job_slots->first, args.job_slots->second, 0, cli::kMaxWorkers);
        return;
    }
    if (args.job_slots)
        args.options.jobs = run::parse_job_slots(args.job_slots->first, args.job_slots->second,
                                                 forkline::available_cores());
}

// --redis URL, --queue NAME, --max-output: checked before anything starts; options that
// need the jobs' output on this host as they run are refused.
void check_redis_options(const Arguments& args) {
    const auto& options = args.options;
    if (options.redis_url.empty()) {
        if (!options.queue.empty() || options.max_output != 0)
            throw UsageError("--queue and --max-output go with --redis URL");
        return;
    }
    try {
        run::check_redis_target(options.redis_url, options.queue);
    } catch (const forkline::Error& e) {
        throw UsageError(e.what());
    }
    if (options.output != Output::grouped)
        throw UsageError(std::string(options.output == Output::ungroup ? "-u" : "--line-buffer") +
                         " needs the output as it comes: not with --redis (each job's output "
                         "comes back when it ends)");
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
        {"results", 0, true, [&](auto& dir) { options.results = forkline::utf8_path(dir); }},
        {"res", 0, true, [&](auto& dir) { options.results = forkline::utf8_path(dir); }},
        {"redis", 0, true,
         [&](auto& url) {
             if (url.empty()) throw UsageError("--redis needs a URL");
             options.redis_url = url;
         }},
        {"queue", 0, true,
         [&](auto& name) {
             if (name.empty()) throw UsageError("--queue needs a name");
             options.queue = name;
         }},
        {"max-output", 0, true,
         [&](auto& bytes) {
             options.max_output = cli::parse_count_as<std::uint64_t>("--max-output", bytes, 1,
                                                                     std::uint64_t{1} << 40);
         }},
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
    auto operands = cli::parse_options(argc, argv, 2, {"forkline run", run_usage::kRunUsage},
                                       std::move(known), cli::Operands::last);
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
    check_redis_options(args);
    resolve_job_slots(args);
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
    // --shell without a SHELL on Windows is cmd.exe (forkline::shell_stage).
    args.template_settings.cmd =
        forkline::kWindows && options.shell && options.shell_program.empty();
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
        return print_dry_run(*jobs, !args.options.redis_url.empty() ? run::kRemoteWindow
                                    : args.options.jobs != 0        ? args.options.jobs
                                                                    : forkline::available_cores());
    // What is ready now is read ahead (at most -j jobs, so as many as the first starts take):
    // when the input ends within -j jobs, the workers are bounded by them (as GNU parallel;
    // `-j 1000 cmd ::: a` starts one, not 1000); --halt WHY=N% needs the total (GNU parallel
    // reads the whole input first; here what has arrived: a ::: list or a file whole, a pipe
    // as far as it was written).
    const bool percent_halt = args.options.halt.percent > 0;
    const bool remote = !args.options.redis_url.empty();
    run::ReadAhead ahead(*jobs, percent_halt ? SIZE_MAX
                                : remote     ? run::kRemoteWindow
                                             : args.options.jobs);
    if (const auto total = jobs->total())
        args.options.jobs = static_cast<unsigned>(
            std::min<std::size_t>(args.options.jobs, std::max<std::size_t>(*total, 1)));
    return run::run_jobs(ahead, args.options);
}
