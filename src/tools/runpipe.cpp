// runpipe: run a pipeline without a shell, with a timeout, per-stage statuses and JSON.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <forkline/pipeline.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include "arguments.hpp"
#include "standard_fds.hpp"
#include "subreaper.hpp"

namespace {

constexpr const char* kUsage = R"(usage: runpipe [OPTIONS] 'COMMAND | COMMAND …'

Run a pipeline without a shell: stages are connected by pipes and run in a new process
group. Syntax: words, '…' and "…" quoting, backslash escapes, |, <, >, >>, 2>, 2>>, 2>&1.
No globbing, variables, ; && || or subshells: use --shell for those (runs /bin/sh -c).

Options:
  --input TEXT        feed TEXT to the first stage's stdin
  --input-file FILE   feed FILE to the first stage's stdin
  --no-stdin          the first stage reads /dev/null (default: runpipe's stdin)
  --timeout SECONDS   at the deadline send SIGTERM to the group, after --grace SIGKILL;
                      the output so far is kept, exit status 124 (fractions allowed)
  --grace SECONDS     between SIGTERM and SIGKILL (default 1)
  --pipefail          exit status of the last stage that failed, not of the last stage
  --capture           keep stdout and stderr in memory, print them when the pipeline ends
  --json              print one JSON object: command, per stage argv/pid/exit code or
                      signal/duration, timed_out, stdout and stderr (captured) with byte
                      counts, duration. Bytes that are not valid UTF-8 are replaced by
                      U+FFFD in the strings; the byte counts are of the raw output.
  --status            after the run, one line per stage on stderr: status and duration
  --shell             run COMMAND with /bin/sh -c (globbing, variables, lists)
  -h, --help          show this help

Exit status: the last stage's (or with --pipefail the last non-zero one), 124 timed out,
127 command not found, 126 not executable, 128+N killed by signal N, 130/143 when runpipe
got SIGINT/SIGTERM (forwarded to the pipeline), 2 on bad usage or a syntax error.
)";

using tools::UsageError;

struct Arguments {
    std::string command;
    std::string input_file;  // becomes "< FILE" on the first stage: no copy through runpipe
    forkline::PipelineOptions options;
    bool json = false;
    bool status = false;
    bool shell = false;
    bool help = false;
};

std::chrono::nanoseconds parse_seconds(const std::string& option, const std::string& text) {
    double seconds = -1;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(seconds) ||
        seconds < 0 || seconds > 1e9) {
        throw UsageError(option + " needs a number of seconds >= 0, not '" + text + "'");
    }
    return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(seconds * 1e9)));
}

Arguments parse_arguments(int argc, char** argv) {
    Arguments args;
    bool have_command = false;
    bool stdin_chosen = false;
    auto choose_stdin = [&](const std::string& arg) {
        if (stdin_chosen)
            throw UsageError("choose one of --input, --input-file, --no-stdin (" + arg + ")");
        stdin_chosen = true;
    };
    tools::ArgumentReader reader(argc, argv, 1);
    while (!reader.done()) {
        const std::string arg = reader.next();
        if (arg == "-h" || arg == "--help") {
            args.help = true;
        } else if (arg == "--input") {
            choose_stdin(arg);
            args.options.input = reader.value();
        } else if (arg == "--input-file") {
            choose_stdin(arg);
            args.input_file = reader.value();
            if (::access(args.input_file.c_str(), R_OK) != 0) {
                throw UsageError("cannot open '" + args.input_file + "': " + std::strerror(errno));
            }
        } else if (arg == "--no-stdin") {
            choose_stdin(arg);
            args.options.stdin_null = true;
        } else if (arg == "--timeout") {
            args.options.timeout = parse_seconds(arg, reader.value());
        } else if (arg == "--grace") {
            args.options.grace = parse_seconds(arg, reader.value());
        } else if (arg == "--pipefail") {
            args.options.pipefail = true;
        } else if (arg == "--capture") {
            args.options.capture_stdout = args.options.capture_stderr = true;
        } else if (arg == "--json") {
            args.json = args.options.capture_stdout = args.options.capture_stderr = true;
        } else if (arg == "--status") {
            args.status = true;
        } else if (arg == "--shell") {
            args.shell = true;
        } else if (arg == "--" && !reader.done() && !have_command) {
            args.command = reader.next();
            have_command = true;
        } else if (arg.starts_with("-") && arg.size() > 1) {
            throw UsageError("unknown option '" + arg + "'");
        } else if (have_command) {
            throw UsageError("unexpected argument '" + arg +
                             "': quote the whole pipeline as one argument");
        } else {
            args.command = arg;
            have_command = true;
        }
    }
    if (!have_command && !args.help) throw UsageError("no command given");
    return args;
}

void write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const auto n = ::write(fd, data.data() + done, data.size() - done);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

double seconds(std::chrono::nanoseconds d) {
    return std::chrono::duration<double>(d).count();
}

std::string signal_name(int signal) {
    const char* abbrev = ::sigabbrev_np(signal);
    return abbrev != nullptr ? std::string("SIG") + abbrev : std::to_string(signal);
}

nlohmann::json to_json(const std::string& command, const forkline::PipelineResult& r) {
    nlohmann::json stages = nlohmann::json::array();
    for (const auto& stage : r.stages) {
        nlohmann::json s{{"argv", stage.argv},
                         {"pid", stage.pid >= 0 ? nlohmann::json(stage.pid) : nlohmann::json()},
                         {"exit_code", stage.exit_code >= 0 ? nlohmann::json(stage.exit_code)
                                                            : nlohmann::json()},
                         {"signal", stage.signal != 0 ? nlohmann::json(signal_name(stage.signal))
                                                      : nlohmann::json()},
                         {"status", stage.shell_code()},
                         {"duration", seconds(stage.duration)}};
        if (!stage.error.empty()) s["error"] = stage.error;
        stages.push_back(std::move(s));
    }
    return {{"command", command},
            {"stages", stages},
            {"exit_code", r.exit_code},
            {"timed_out", r.timed_out},
            {"stdout", r.stdout_data},
            {"stdout_bytes", r.stdout_data.size()},
            {"stderr", r.stderr_data},
            {"stderr_bytes", r.stderr_data.size()},
            {"duration", seconds(r.duration)}};
}

void print_status(const forkline::PipelineResult& r) {
    for (std::size_t i = 0; i < r.stages.size(); ++i) {
        const auto& stage = r.stages[i];
        std::string what = !stage.error.empty() ? stage.error
                           : stage.signal != 0  ? "killed by " + signal_name(stage.signal)
                                                : "exit " + std::to_string(stage.exit_code);
        std::fprintf(stderr, "runpipe: stage %zu (%s): %s, %.3fs\n", i + 1,
                     stage.argv.front().c_str(), what.c_str(), seconds(stage.duration));
    }
    if (r.timed_out) std::fprintf(stderr, "runpipe: timed out\n");
}

}  // namespace

int main(int argc, char** argv) {
    forkline::ensure_standard_fds();
    try {
        auto args = parse_arguments(argc, argv);
        if (args.help) {
            std::fputs(kUsage, stdout);
            return 0;
        }
        auto stages = args.shell ? std::vector<forkline::Stage>{{{"/bin/sh", "-c", args.command}}}
                                 : forkline::parse_pipeline(args.command);
        if (!args.input_file.empty()) {
            auto& redirects = stages.front().redirects;
            redirects.insert(redirects.begin(), {forkline::Redirect::Kind::input, args.input_file});
        }
        args.options.forward_signals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
        // Orphans of the pipeline's processes come to us, not to init, and go with it
        // (README: "Processes a job starts").
        const forkline::ChildSubreaper subreaper;
        const auto result = forkline::run_pipeline(stages, args.options);
        forkline::kill_and_reap_children();
        for (const auto& stage : result.stages) {
            if (!stage.error.empty())
                std::fprintf(stderr, "runpipe: %s: %s\n", stage.argv.front().c_str(),
                             stage.error.c_str());
        }
        if (args.json) {
            const auto text = to_json(args.command, result)
                                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            write_all(STDOUT_FILENO, text + "\n");
        } else if (args.options.capture_stdout) {
            write_all(STDOUT_FILENO, result.stdout_data);
            write_all(STDERR_FILENO, result.stderr_data);
        }
        if (args.status) print_status(result);
        if (result.forwarded_signal != 0) return 128 + result.forwarded_signal;
        return result.exit_code;
    } catch (const forkline::ParseError& e) {
        std::fprintf(stderr, "runpipe: %s\n", e.what());
        return 2;
    } catch (const UsageError& e) {
        std::fprintf(stderr, "runpipe: error: %s (see runpipe --help)\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "runpipe: error: %s\n", e.what());
        return 1;
    }
}
