// forkline files: wc-style counts and log-level statistics of many files, on worker
// processes; large files are split into chunks.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <forkline/pool.hpp>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "option_numbers.hpp"
#include "options.hpp"
#include "output.hpp"
#include "output_file.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "runner.hpp"
#include "subcommands.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace {

constexpr const char* kFilesUsage = R"(usage: forkline files [OPTIONS] [PATH…]

Count lines, words, characters and bytes of files (as `LC_ALL=C.UTF-8 wc -lwmc`), and in
log lines the levels (ERROR, WARN, INFO, DEBUG) and the most frequent error messages; on a
pool of worker processes, large files split into chunks. PATHs are files or directories
(walked recursively; default: .); '-' is standard input.
  forkline files /var/log --pattern '*.log' -j 4
  forkline files big.log --json --output results.json

Options:
  --pattern GLOB     in directories, only files whose name matches (repeatable; named
                     files are always taken)
  -j, --workers N    worker processes (default: the number of cores)
  --mode M           seq (this thread), threads or procs (worker processes; the default)
  --benchmark        run the modes (--mode seq|threads|procs|all, default all) and print
                     a table: seconds and speedup vs seq; the counts of all must agree
  --json             JSON on stdout instead of the table
  --output FILE      also write the JSON to FILE
  --top N            most frequent error messages shown per file and in total (default 5)
  --chunk-size B     split files into ranges of about B bytes (default 32M; K/M/G suffixes;
                     at most 65536 ranges per file)
  --progress         progress bar on stderr even when it is not a terminal
  --no-progress      no progress bar, even on a terminal
  -h, --help         show this help
  --version          show the version

Counting: lines are '\n' bytes; characters valid UTF-8 sequences (invalid bytes count as
bytes only); words runs of printable non-space characters (as wc: non-printable ones such
as control characters neither start nor end a word; U+00A0, U+2007, U+202F, U+2060 separate).
A line's level is the first of its first 6 words (within 64 bytes) that is ERROR, WARN,
WARNING, INFO or DEBUG, optionally after '[' '<' '('. An error's message is the rest of the
line, cut at 120 bytes, each run of digits shown as '#'.

Reading, as wc: standard input ('-') and a FIFO named as a PATH are read to their end, by
forkline itself; a file of size 0 or on /proc or /sys (whose sizes are not the content's,
as /proc/cpuinfo) is read to its end as one piece. A file growing meanwhile is counted up
to the size it had when listed.
Files not counted, each listed with its reason: binary (a NUL byte in the first 64 KiB;
not an error), skipped (not a regular file, a FIFO found in a directory, a symlink to a
directory), failed (cannot be opened or read, vanished, shrank while read).
JSON: {"files": [{"path", "status", "reason" | "bytes", "lines", "words", "chars",
"levels": {"ERROR", …}, "top_errors": [{"message", "count"}], "top_errors_exact"}], "totals":
{the same counts, "files", "ok", "binary", "skipped", "failed"}}. A path that is not valid
UTF-8 shows each invalid byte as \xNN in "path", and then only "path_hex" holds all its
bytes in hex (the exact name); error messages show invalid bytes as U+FFFD.
Exit status: 0, or 1 if any file failed or the output could not be written; 2 on bad usage.
)";

using cli::UsageError;

struct Options {
    std::vector<std::string> paths;
    std::vector<std::string> patterns;
    unsigned workers = 0;
    std::optional<std::string> mode;
    bool benchmark = false;
    bool json = false;
    std::optional<std::string> output;
    std::size_t top = 5;
    std::uint64_t chunk_size = 32ull << 20;
    std::optional<bool> progress;
};

std::uint64_t parse_size(const std::string& option, const std::string& text, std::uint64_t min,
                         std::uint64_t max) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
    std::uint64_t scale = 1;
    if (suffix == "K" || suffix == "k") scale = 1ull << 10;
    if (suffix == "M" || suffix == "m") scale = 1ull << 20;
    if (suffix == "G" || suffix == "g") scale = 1ull << 30;
    if (error != std::errc{} || (scale == 1 && !suffix.empty()) || value > max / scale ||
        value * scale < min) {
        throw UsageError(option + " needs a number from " + std::to_string(min) + " to " +
                         std::to_string(max) + " (K, M or G after it: KiB, MiB, GiB), not " +
                         cli::quoted(text));
    }
    return value * scale;
}

Options parse(int argc, char** argv) {
    Options o;
    const auto set_progress = [&](bool on) {
        if (o.progress && *o.progress != on)
            throw UsageError("--progress and --no-progress contradict each other");
        o.progress = on;
    };
    o.paths = cli::parse_options(
        argc, argv, 2, {"forkline files", kFilesUsage},
        {
            {"pattern", 0, true, [&](auto& glob) { o.patterns.push_back(glob); }},
            {"workers", 'j', true,
             [&](auto& n) {
                 o.workers = cli::parse_count_as<unsigned>("-j", n, 1, cli::kMaxWorkers);
             }},
            {"mode", 0, true,
             [&](auto& mode) {
                 if (mode != "seq" && mode != "threads" && mode != "procs" && mode != "all")
                     throw UsageError("--mode needs seq, threads, procs or all, not " +
                                      cli::quoted(mode));
                 o.mode = mode;
             }},
            {"benchmark", 0, false, [&](auto&) { o.benchmark = true; }},
            {"json", 0, false, [&](auto&) { o.json = true; }},
            {"output", 0, true, [&](auto& file) { o.output = file; }},
            {"top", 0, true,
             [&](auto& n) { o.top = cli::parse_count_as<std::size_t>("--top", n, 0, 1000); }},
            {"chunk-size", 0, true,
             [&](auto& size) { o.chunk_size = parse_size("--chunk-size", size, 1, 1ull << 40); }},
            {"progress", 0, false, [&](auto&) { set_progress(true); }},
            {"no-progress", 0, false, [&](auto&) { set_progress(false); }},
        });
    if (o.mode == "all" && !o.benchmark) throw UsageError("--mode all needs --benchmark");
    if (o.benchmark && (o.json || o.output))
        throw UsageError("--benchmark prints a timing table: no --json or --output");
    if (o.benchmark && std::find(o.paths.begin(), o.paths.end(), "-") != o.paths.end())
        throw UsageError("--benchmark reads every file once per mode: standard input cannot be");
    if (o.paths.empty()) o.paths.push_back(".");
    if (o.workers == 0) o.workers = forkline::available_cores();
    return o;
}

files::Mode mode_of(const std::string& name) {
    if (name == "seq") return files::Mode::seq;
    if (name == "threads") return files::Mode::threads;
    return files::Mode::procs;
}

struct Timed {
    files::Report report;
    double seconds;
};

Timed run_once(const Options& o, files::Mode mode, bool progress) {
    const auto started = std::chrono::steady_clock::now();
    const auto entries = files::discover(o.paths, o.patterns);
    const auto chunks = files::plan_chunks(entries, o.chunk_size);
    std::uint64_t total = 0;
    for (const auto& c : chunks) total += c.length;
    files::ProgressBar bar(progress, total, chunks.size());
    const auto results =
        files::run_chunks(entries, chunks, mode, o.workers,
                          [&](std::uint64_t bytes, std::size_t done) { bar.update(bytes, done); });
    bar.clear();
    auto report = files::build_report(entries, chunks, results);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
    return {std::move(report), elapsed.count()};
}

int benchmark(const Options& o) {
    std::vector<files::Mode> modes = {files::Mode::seq, files::Mode::threads, files::Mode::procs};
    if (o.mode && *o.mode != "all") modes = {mode_of(*o.mode)};
    std::printf("%-8s %7s %9s %8s\n", "mode", "workers", "seconds", "speedup");
    std::optional<Timed> first;
    std::optional<double> seq_seconds;
    for (const auto mode : modes) {
        const Timed t = run_once(o, mode, false);
        if (mode == files::Mode::seq) seq_seconds = t.seconds;
        if (!first) {
            first = t;
        } else if (!(t.report == first->report)) {
            throw std::runtime_error(std::string("the counts of --mode ") + files::to_string(mode) +
                                     " differ from those of --mode " +
                                     files::to_string(modes.front()));
        }
        const unsigned workers = mode == files::Mode::seq ? 1 : o.workers;
        if (seq_seconds) {
            std::printf("%-8s %7u %9.3f %7.2fx\n", files::to_string(mode), workers, t.seconds,
                        *seq_seconds / t.seconds);
        } else {
            std::printf("%-8s %7u %9.3f %8s\n", files::to_string(mode), workers, t.seconds, "-");
        }
        cli::check_output(stdout);  // a row as each mode ends: no run on into a dead output
    }
    const auto& r = first->report;
    std::printf("%zu files, %llu bytes; counts agree across modes\n", r.files.size(),
                static_cast<unsigned long long>(r.total.text.bytes));
    return r.failed != 0 ? 1 : 0;
}

// --output FILE: opened before the run, so that a bad path fails at once; written and
// checked after it.
class OutputFile {
  public:
    explicit OutputFile(const std::string& path)
        : name_(cli::quoted(path)), file_(files::open_output_file(path)) {
        if (!file_) throw cli::OutputError(name_, errno);
    }

    void write(const std::string& text) {
        std::fputs(text.c_str(), file_.get());
        cli::check_output(file_.get(), name_);
        if (std::fclose(file_.release()) != 0) throw cli::OutputError(name_, errno);
    }

  private:
    struct Close {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    std::string name_;
    std::unique_ptr<std::FILE, Close> file_;
};

}  // namespace

int files_main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    if (o.benchmark) return benchmark(o);
    std::optional<OutputFile> output;
    if (o.output) output.emplace(*o.output);
    const bool progress = o.progress.value_or(::isatty(STDERR_FILENO) != 0);
    const Timed t = run_once(o, mode_of(o.mode.value_or("procs")), progress);
    const auto dump = [&] {
        return files::to_json(t.report, o.top)
                   .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
               "\n";
    };
    if (output) output->write(dump());
    if (o.json) {
        std::fputs(dump().c_str(), stdout);
    } else {
        files::print_table(t.report, o.top, stdout);
    }
    cli::check_output(stdout);
    if (t.report.failed != 0) {
        std::fprintf(stderr, "forkline files: %zu of %zu files could not be read\n",
                     t.report.failed, t.report.files.size());
        return 1;
    }
    return 0;
}
