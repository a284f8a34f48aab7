// forkline files: wc-style counts and log-level statistics of many files, on worker
// processes; large files are split into chunks.
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <forkline/pool.hpp>

#include "arguments.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "runner.hpp"
#include "subcommands.hpp"

namespace {

constexpr const char* kFilesUsage = R"(usage: forkline files [OPTIONS] [PATH…]

Count lines, words, characters and bytes of files (as `LC_ALL=C.UTF-8 wc -lwmc`), and in
log lines the levels (ERROR, WARN, INFO, DEBUG) and the most frequent error messages; on a
pool of worker processes, large files split into chunks. PATHs are files or directories
(walked recursively; default: .).
  forkline files /var/log --pattern '*.log' -j 4
  forkline files big.log --json --output results.json

Options:
  --pattern GLOB     in directories, only files whose name matches (repeatable; named
                     files are always taken)
  -j N               worker processes (default: the number of cores)
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

Counting: lines are '\n' bytes; characters valid UTF-8 sequences (invalid bytes count as
bytes only); words runs of printable non-space characters (as wc: non-printable ones such
as control characters neither start nor end a word; U+00A0, U+2007, U+202F, U+2060 separate).
A line's level is the first of its first 6 words (within 64 bytes) that is ERROR, WARN,
WARNING, INFO or DEBUG, optionally after '[' '<' '('. An error's message is the rest of the
line, cut at 120 bytes, each run of digits shown as '#'.

Files not counted, each listed with its reason: binary (a NUL byte in the first 64 KiB;
not an error), skipped (not a regular file, symlink to a directory), failed (cannot be
opened or read, vanished, shrank while read). A file growing meanwhile is counted up to
the size it had when listed.
JSON: {"files": [{"path", "status", "reason" | "bytes", "lines", "words", "chars",
"levels": {"ERROR", …}, "top_errors": [{"message", "count"}], "top_errors_exact"}], "totals":
{the same counts, "files", "ok", "binary", "skipped", "failed"}}.
Exit status: 0, or 1 if any file failed; 2 on bad usage.
)";

using tools::UsageError;

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
                         std::to_string(max) + ", not '" + text + "'");
    }
    return value * scale;
}

// nullopt after --help.
std::optional<Options> parse(int argc, char** argv) {
    Options o;
    tools::ArgumentReader reader(argc, argv, 2);
    bool only_paths = false;
    while (!reader.done()) {
        const std::string arg = reader.next();
        if (only_paths || arg == "-" || !arg.starts_with("-")) {
            o.paths.push_back(arg);
        } else if (arg == "--") {
            only_paths = true;
        } else if (arg == "-h" || arg == "--help") {
            std::fputs(kFilesUsage, stdout);
            return std::nullopt;
        } else if (arg == "--pattern") {
            o.patterns.push_back(reader.value());
        } else if (arg == "-j") {
            o.workers = static_cast<unsigned>(parse_size(arg, reader.value(), 1, 1024));
        } else if (arg == "--mode") {
            o.mode = reader.value();
            if (*o.mode != "seq" && *o.mode != "threads" && *o.mode != "procs" && *o.mode != "all")
                throw UsageError("--mode needs seq, threads, procs or all, not '" + *o.mode + "'");
        } else if (arg == "--benchmark") {
            o.benchmark = true;
        } else if (arg == "--json") {
            o.json = true;
        } else if (arg == "--output") {
            o.output = reader.value();
        } else if (arg == "--top") {
            o.top = parse_size(arg, reader.value(), 0, 1000);
        } else if (arg == "--chunk-size") {
            o.chunk_size = parse_size(arg, reader.value(), 1, 1ull << 40);
        } else if (arg == "--progress") {
            o.progress = true;
        } else if (arg == "--no-progress") {
            o.progress = false;
        } else {
            throw UsageError("unknown option '" + arg + "'");
        }
    }
    if (o.mode == "all" && !o.benchmark) throw UsageError("--mode all needs --benchmark");
    if (o.benchmark && (o.json || o.output))
        throw UsageError("--benchmark prints a timing table: no --json or --output");
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
    }
    const auto& r = first->report;
    std::printf("%zu files, %llu bytes; counts agree across modes\n", r.files.size(),
                static_cast<unsigned long long>(r.total.text.bytes));
    return r.failed != 0 ? 1 : 0;
}

}  // namespace

int files_main(int argc, char** argv) {
    const std::optional<Options> parsed = parse(argc, argv);
    if (!parsed) return 0;
    const Options& o = *parsed;
    if (o.benchmark) return benchmark(o);
    const auto cannot_write = [&] {
        return std::runtime_error("cannot write '" + *o.output + "': " + std::strerror(errno));
    };
    std::ofstream output;
    if (o.output) {  // before the run, not after it: a bad path fails at once
        output.open(*o.output, std::ios::trunc);
        if (!output) throw cannot_write();
    }
    const bool progress = o.progress.value_or(::isatty(STDERR_FILENO) != 0);
    const Timed t = run_once(o, mode_of(o.mode.value_or("procs")), progress);
    const auto dump = [&] {
        return files::to_json(t.report, o.top)
            .dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    if (o.output) {
        output << dump() << '\n';
        if (!output.flush()) throw cannot_write();
    }
    if (o.json) {
        std::printf("%s\n", dump().c_str());
    } else {
        files::print_table(t.report, o.top, stdout);
    }
    if (t.report.failed != 0) {
        std::fflush(stdout);
        std::fprintf(stderr, "forkline files: %zu of %zu files could not be read\n",
                     t.report.failed, t.report.files.size());
        return 1;
    }
    return 0;
}
