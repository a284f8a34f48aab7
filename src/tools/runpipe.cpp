// runpipe: run a pipeline without a shell, with a timeout, per-stage statuses and JSON.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <forkline/pipeline.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "exit_status.hpp"
#include "json_string.hpp"
#include "open_file.hpp"
#include "option_numbers.hpp"
#include "options.hpp"
#include "output.hpp"
#include "subreaper.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace {

constexpr const char* kUsage = R"(usage: runpipe [OPTIONS] 'COMMAND | COMMAND …'

Run a pipeline without a shell: stages are connected by pipes and run in a new process
group. COMMAND is read as sh reads it, for this subset:
  as in sh   words; '…' "…" \ quoting; backslash-newline; |; [N]< [N]> [N]>> [N]<> [N]>|
             N>&M N<&M N>&- (N, M: 0-9); NAME=value before the command (that stage's
             environment); ~ ~/… ~user at the start of a word (and after = or : in a value)
  literal    anything quoted; a $ before a blank or the end of its word or "…"; # inside
             a word; {…} with no , or a..b in it ({} {.} {/}); [ with no ] after it in
             its word ([ -f x ]); * ? [ { in a NAME=value value
  refused    $NAME $(…) ${…} `…` (in "…" too); globs * ? [ab]; {a,b} {1..3}; a word
             starting with # (a comment); ; & && || ( ) <<; if ! { [[ … as the command;
             descriptors above 9; NAME=value without a command; ~ after = or : in an
             argument (bash expands it, sh does not: make PREFIX=~/x)
Refused syntax is an error with its column (exit 2): --shell runs COMMAND with /bin/sh -c.

Options:
  --input TEXT        feed TEXT to the first stage's stdin
  --input-file FILE   feed FILE to the first stage's stdin
  --no-stdin          the first stage reads /dev/null (default: runpipe's stdin)
  --timeout SECONDS   at the deadline send SIGTERM to the group, after --grace SIGKILL;
                      the output so far is kept, exit status 124 (fractions allowed;
                      0, the default, means no timeout)
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
  --version           show the version

Terminal: when runpipe's stdin is a terminal and runpipe runs in the foreground, the
pipeline's group becomes the terminal's foreground group while it runs (so its stages can
read the terminal, and ^C or ^Z go to them), and runpipe takes the terminal back at the
end. A pipeline stopped by ^Z stops runpipe too; `fg` continues both. Run in the
background, runpipe leaves the terminal alone (a stage that reads it stops runpipe, as a
shell's job, until `fg`).

Windows: each stage is started with CreateProcess (no shell) and gets the words after
its program name as written in COMMAND, quotes included, as cmd.exe passes them (find
"LISTENING" needs its quotes; a word in sh's quoting only, 'a b', is quoted "a b"); a
backslash is literal (C:\dir\x.exe, \\server\share) except before a '"' (\" is a quote;
"C:\dir\\" ends in one backslash) and before sh syntax (\| \$ \' …); a program is
looked up in PATH with PATHEXT's extensions, a .bat/.cmd runs through cmd /c; --shell
runs cmd /d /s /c "COMMAND"; --no-stdin reads NUL; the stages and everything they
start are in one Job Object: at the deadline each stage gets CTRL_BREAK, the job is
terminated --grace later (killed stages report SIGKILL); ^C and ^Break in the console
are forwarded to the stages as CTRL_BREAK; only descriptors 0-2 can be redirected.

Exit status: the last stage's (or with --pipefail the last non-zero one), 124 timed out,
127 command not found, 126 not executable, 128+N killed by signal N (130 for a ^C typed
at the terminal), 130/143 when runpipe got SIGINT/SIGTERM (forwarded to the pipeline),
1 when runpipe could not start the pipeline or write its output, 2 on bad usage or a
syntax error.
)";

using cli::UsageError;

constexpr int kStdout = 1;  // the C runtime's descriptors (POSIX and Windows alike)
constexpr int kStderr = 2;

struct Arguments {
    std::string command;
    std::string input_file;  // becomes "< FILE" on the first stage: no copy through runpipe
    forkline::PipelineOptions options;
    bool json = false;
    bool status = false;
    bool shell = false;
};

Arguments parse_arguments(int argc, char** argv) {
    Arguments args;
    std::string stdin_option;  // the option that chose the first stage's stdin, if any
    auto choose_stdin = [&](const char* option) {
        if (!stdin_option.empty())
            throw UsageError("choose one of --input, --input-file, --no-stdin (" + stdin_option +
                             " and " + option + ")");
        stdin_option = option;
    };
    auto& options = args.options;
    const auto operands = cli::parse_options(
        argc, argv, 1, {"runpipe", kUsage},
        {
            {"input", 0, true,
             [&](auto& text) {
                 choose_stdin("--input");
                 options.input = text;
             }},
            {"input-file", 0, true,
             [&](auto& path) {
                 choose_stdin("--input-file");
                 if (!forkline::open_for_reading(path).valid())
                     throw UsageError("cannot open " + cli::quoted(path) + ": " +
                                      std::strerror(errno));
                 args.input_file = path;
             }},
            {"no-stdin", 0, false,
             [&](auto&) {
                 choose_stdin("--no-stdin");
                 options.stdin_null = true;
             }},
            {"timeout", 0, true,
             [&](auto& text) {
                 const auto timeout = cli::parse_seconds("--timeout", text);
                 if (timeout.count() > 0) {
                     options.timeout = timeout;
                 } else {
                     options.timeout.reset();  // 0: no timeout, as in forkline run and timeout(1)
                 }
             }},
            {"grace", 0, true,
             [&](auto& text) { options.grace = cli::parse_seconds("--grace", text); }},
            {"pipefail", 0, false, [&](auto&) { options.pipefail = true; }},
            {"capture", 0, false,
             [&](auto&) { options.capture_stdout = options.capture_stderr = true; }},
            {"json", 0, false,
             [&](auto&) { args.json = options.capture_stdout = options.capture_stderr = true; }},
            {"status", 0, false, [&](auto&) { args.status = true; }},
            {"shell", 0, false, [&](auto&) { args.shell = true; }},
        });
    if (operands.empty()) throw UsageError("no command given");
    if (operands.size() > 1)
        throw UsageError("unexpected argument " + cli::quoted(operands[1]) +
                         ": quote the whole pipeline as one argument");
    args.command = operands[0];
    return args;
}

double seconds(std::chrono::nanoseconds d) {
    return std::chrono::duration<double>(d).count();
}

nlohmann::json stages_json(const forkline::PipelineResult& r) {
    nlohmann::json stages = nlohmann::json::array();
    for (const auto& stage : r.stages) {
        nlohmann::json s{
            {"argv", stage.argv},
            {"pid", stage.pid >= 0 ? nlohmann::json(stage.pid) : nlohmann::json()},
            {"exit_code",
             stage.exit_code >= 0 ? nlohmann::json(stage.exit_code) : nlohmann::json()},
            {"signal", stage.signal != 0 ? nlohmann::json(forkline::signal_name(stage.signal))
                                         : nlohmann::json()},
            {"status", stage.shell_code()},
            {"duration", seconds(stage.duration)}};
        if (!stage.error.empty()) s["error"] = stage.error;
        stages.push_back(std::move(s));
    }
    return stages;
}

// The JSON object, written field by field to stdout in nlohmann's (sorted) key order: the
// small fields dumped by nlohmann, the captured outputs escaped piece by piece straight to
// the output, so that their bytes are held once (in the result), never copied or grown.
void print_json(const std::string& command, const forkline::PipelineResult& r) {
    const std::vector<std::pair<std::string, std::string_view>> outputs = {
        {"stdout", r.stdout_data}, {"stderr", r.stderr_data}};
    nlohmann::json fields = {{"command", command},
                             {"stages", stages_json(r)},
                             {"exit_code", r.exit_code},
                             {"timed_out", r.timed_out},
                             {"stdout_bytes", r.stdout_data.size()},
                             {"stderr_bytes", r.stderr_data.size()},
                             {"duration", seconds(r.duration)}};
    for (const auto& output : outputs) fields[output.first] = nullptr;  // its place in the order

    std::string pending;
    auto write = [&](std::string_view text) {
        pending.append(text);
        if (pending.size() >= cli::kJsonStringPiece) {
            cli::write_all(kStdout, pending);
            pending.clear();
        }
    };
    auto dump = [](const nlohmann::json& value) {
        return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    char separator = '{';
    for (const auto& field : fields.items()) {
        // Not a structured binding: clang 14 cannot capture one in the lambda below.
        const std::string& key = field.key();
        write(std::string_view(&separator, 1));
        separator = ',';
        write(dump(key) + ":");
        const auto output = std::find_if(outputs.begin(), outputs.end(),
                                         [&](const auto& o) { return o.first == key; });
        if (output != outputs.end()) {
            cli::write_json_string(output->second, write);
        } else {
            write(dump(field.value()));
        }
    }
    write("}\n");
    cli::write_all(kStdout, pending);
}

void print_stage_errors(const forkline::PipelineResult& r) {
    for (const auto& stage : r.stages) {
        if (!stage.error.empty())
            std::fprintf(stderr, "runpipe: %s: %s\n", cli::quoted(stage.argv.front()).c_str(),
                         cli::escaped(stage.error).c_str());
    }
}

void print_status(const forkline::PipelineResult& r) {
    for (std::size_t i = 0; i < r.stages.size(); ++i) {
        const auto& stage = r.stages[i];
        std::string what = !stage.error.empty() ? cli::escaped(stage.error)
                           : stage.signal != 0  ? "killed by " + forkline::signal_name(stage.signal)
                                                : "exit " + std::to_string(stage.exit_code);
        std::fprintf(stderr, "runpipe: stage %zu (%s): %s, %.3fs\n", i + 1,
                     cli::quoted(stage.argv.front()).c_str(), what.c_str(),
                     seconds(stage.duration));
    }
    if (r.timed_out) std::fprintf(stderr, "runpipe: timed out\n");
}

std::vector<forkline::Stage> stages_of(const Arguments& args) {
    if (args.shell) return {forkline::shell_stage(args.command)};
    try {
        return forkline::parse_pipeline(args.command);
    } catch (const forkline::ParseError& e) {  // bad usage: exit 2, one line
        throw UsageError(e.what());
    }
}

int run(int argc, char** argv) {
    auto args = parse_arguments(argc, argv);
    auto stages = stages_of(args);
    if (!args.input_file.empty()) {
        auto& redirects = stages.front().redirects;
        redirects.insert(redirects.begin(), {forkline::Redirect::Kind::input, args.input_file});
    }
    args.options.forward_signals = forkline::termination_signals();
    args.options.foreground_terminal = true;
    // Orphans of the pipeline's processes come to us, not to init, and go with it
    // (README: "Processes a job starts").
    const forkline::ChildSubreaper subreaper;
    const auto result = forkline::run_pipeline(stages, args.options);
    forkline::kill_and_reap_children();
    print_stage_errors(result);
    // Only runpipe's own writes are checked here: stages that write to runpipe's stdout
    // directly report their own errors.
    if (args.json) {
        print_json(args.command, result);
    } else if (args.options.capture_stdout) {
        cli::write_all(kStdout, result.stdout_data);
        cli::write_all(kStderr, result.stderr_data, "standard error");
    }
    if (args.status) print_status(result);
    if (result.forwarded_signal != 0) return 128 + result.forwarded_signal;
    return result.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    return cli::run_tool({"runpipe"}, [&] { return run(argc, argv); });
}
