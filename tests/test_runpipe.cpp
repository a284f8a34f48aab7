// The runpipe CLI end to end.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "processes.hpp"
#include "run_command.hpp"
#include "write_errors.hpp"

using test_support::lines_of;
using test_support::run_command;

namespace {

test_support::CommandResult runpipe(std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), RUNPIPE_PATH);
    return run_command(args, input);
}

}  // namespace

TEST_CASE("runs a pipeline, stdout and stderr pass straight through") {
    const auto r = runpipe({"printf 'b\\na\\nb\\n' | sort | uniq -c"});
    CHECK(r.code == 0);
    CHECK(r.out == "      1 a\n      2 b\n");
    const auto err = runpipe({"sh -c 'echo oops >&2; exit 3'"});
    CHECK(err.code == 3);
    CHECK(err.err == "oops\n");
}

TEST_CASE("stdin: inherited, --input, --input-file, --no-stdin") {
    CHECK(runpipe({"cat"}, "from stdin").out == "from stdin");
    CHECK(runpipe({"--input", "given", "cat"}).out == "given");
    char path[] = "/tmp/runpipe-input-XXXXXX";
    const int fd = ::mkstemp(path);
    CHECK(::write(fd, "file\n", 5) == 5);
    ::close(fd);
    CHECK(runpipe({"--input-file", path, "wc -l"}).out == "1\n");
    ::unlink(path);
    CHECK(runpipe({"--no-stdin", "wc -c"}, "ignored").out == "0\n");
}

TEST_CASE("--json is one valid object, even for binary output") {
    const auto r = runpipe(
        {"--json", "--input", std::string("\xff\xfe ok \x01", 7), "cat | sh -c 'cat; echo e >&2'"});
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j.at("command") == "cat | sh -c 'cat; echo e >&2'");
    CHECK(j.at("exit_code") == 0);
    CHECK(j.at("timed_out") == false);
    CHECK(j.at("stdout_bytes") == 7);
    CHECK(j.at("stdout").get<std::string>().find(" ok ") != std::string::npos);
    CHECK(j.at("stderr") == "e\n");
    REQUIRE(j.at("stages").size() == 2);
    CHECK(j.at("stages")[0].at("argv") == nlohmann::json{"cat"});
    CHECK(j.at("stages")[1].at("exit_code") == 0);
    CHECK(j.at("stages")[1].at("pid").get<int>() > 0);
    CHECK(j.at("duration").get<double>() >= 0);
}

TEST_CASE("--timeout: 124, partial output, stage killed by SIGTERM") {
    const auto r = runpipe({"--json", "--timeout", "0.2", "sh -c 'echo partial; exec sleep 30'"});
    CHECK(r.code == 124);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j.at("timed_out") == true);
    CHECK(j.at("stdout") == "partial\n");
    CHECK(j.at("stages")[0].at("signal") == "SIGTERM");
}

TEST_CASE("exit statuses: 127 names the command, 126, 128+N, --pipefail") {
    const auto missing = runpipe({"no-such-cmd-xyz"});
    CHECK(missing.code == 127);
    CHECK(missing.err == "runpipe: 'no-such-cmd-xyz': command not found\n");
    CHECK(runpipe({"/etc/passwd"}).code == 126);
    CHECK(runpipe({"sh -c 'kill -TERM $$'"}).code == 143);
    CHECK(runpipe({"false | true"}).code == 0);
    CHECK(runpipe({"--pipefail", "false | true"}).code == 1);
    CHECK(runpipe({"yes | head -2"}).out == "y\ny\n");
}

TEST_CASE("--shell runs /bin/sh -c") {
    const auto r = runpipe({"--shell", "X=1; echo $X && echo two"});
    CHECK(r.code == 0);
    CHECK(r.out == "1\ntwo\n");
}

TEST_CASE("syntax errors and bad usage: one line, exit 2, nothing run") {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"a | | b"}, "runpipe: error: syntax error at column 4: empty stage"},
        {{"echo 'x"}, "syntax error at column 6: unterminated ' quote"},
        {{"ls *.c"}, "needs --shell"},
        {{"cat >"}, "needs a file name"},
        {{}, "no command given"},
        {{"--timeout", "abc", "true"}, "--timeout needs a number from 0"},
        {{"--timeout", "-1", "true"}, "--timeout needs a number from 0"},
        {{"--bogus", "true"}, "unknown option '--bogus'"},
        {{"echo", "a"}, "quote the whole pipeline"},
        {{"--input", "x", "--no-stdin", "cat"}, "choose one of"},
        {{"--input-file", "/nonexistent", "cat"}, "cannot open '/nonexistent'"},
    };
    for (const auto& test_case : cases) {
        const auto& message = test_case.second;  // not a structured binding: INFO captures it
        const auto r = runpipe(test_case.first);
        INFO(message);
        CHECK(r.code == 2);
        CHECK(r.out.empty());
        CHECK(lines_of(r.err).size() == 1);
        CHECK(r.err.find(message) != std::string::npos);
    }
}

TEST_CASE("SIGINT and SIGTERM to runpipe go to the pipeline; runpipe exits 130 / 143") {
    for (const auto& [signal, code] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
        const pid_t pid = test_support::start_command({RUNPIPE_PATH, "sleep 30 | cat"});
        const auto stages = test_support::wait_for_children(pid, 2);
        REQUIRE(stages.size() == 2);
        ::kill(pid, signal);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == code);
        for (const pid_t stage : stages)
            CHECK(test_support::wait_gone(stage, std::chrono::milliseconds(2000)));
    }
}

TEST_CASE("a pipeline that ignores the forwarded SIGTERM is SIGKILLed after --grace") {
    const pid_t pid = test_support::start_command(
        {RUNPIPE_PATH, "--grace", "0.2", "sh -c \"trap '' TERM; sleep 30\""});
    const auto stages = test_support::wait_for_children(pid, 1);
    REQUIRE(stages.size() == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let sh install its trap
    ::kill(pid, SIGTERM);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WEXITSTATUS(status) == 143);
    CHECK(test_support::wait_gone(stages[0], std::chrono::milliseconds(2000)));
}

TEST_CASE("--timeout 0 is no timeout; --timeout=N, -- and --version") {
    const auto none = runpipe({"--timeout", "0", "sh -c 'sleep 0.2; echo done'"});
    CHECK(none.code == 0);
    CHECK(none.out == "done\n");
    const auto given = runpipe({"--timeout=0.1", "--grace=0", "--", "sleep 30"});
    CHECK(given.code == 124);
    const auto version = runpipe({"--version"});
    CHECK(version.code == 0);
    CHECK(version.out.starts_with("runpipe (forkline) "));
}

TEST_CASE("messages escape control bytes of the command") {
    const auto r = runpipe({"no-such\x1b[31m-cmd"});
    CHECK(r.code == 127);
    CHECK(r.err == "runpipe: 'no-such\\x1B[31m-cmd': command not found\n");
}

TEST_CASE("runpipe's own failed writes: one line, exit 1; a closed pipe ends it quietly") {
    test_support::check_write_errors(
        "runpipe", {{RUNPIPE_PATH, "--json", "echo x"}, {RUNPIPE_PATH, "--capture", "echo x"}});
    // A stage writing to runpipe's stdout itself reports its own error, not runpipe.
    const auto stage = test_support::run_redirected(">/dev/full", {RUNPIPE_PATH, "echo x"});
    CHECK(stage.code != 0);
    CHECK(stage.err.find("runpipe:") == std::string::npos);
    for (const char* mode : {"--json", "--capture"}) {
        const auto piped =
            run_command({"/bin/sh", "-c", "\"$0\" \"$1\" 'head -c 1000000 /dev/zero' | head -c 1",
                         RUNPIPE_PATH, mode});
        INFO(mode);
        CHECK(piped.code == 0);
        CHECK(piped.out.size() == 1);
        CHECK(piped.err.empty());
    }
}

TEST_CASE("--json of megabytes of binary output: valid, nlohmann's replacement, byte counts") {
    std::mt19937 random(5);
    std::string bytes(3'000'000, '\0');
    for (auto& c : bytes) c = static_cast<char>(random() & 0xFF);
    bytes += "\xE2\x82";  // and a truncated sequence at the very end
    char path[] = "/tmp/runpipe-binary-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    ::close(fd);
    const auto r = runpipe({"--json", "--input-file", path, "cat | tee /dev/stderr"});
    ::unlink(path);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j.at("stdout_bytes") == bytes.size());
    CHECK(j.at("stderr_bytes") == bytes.size());
    const auto replaced =
        nlohmann::json::parse(
            nlohmann::json(bytes).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
            .get<std::string>();
    CHECK(j.at("stdout").get<std::string>() == replaced);
    CHECK(j.at("stderr").get<std::string>() == replaced);
    // Streamed field by field, yet what nlohmann's dump of the same object writes.
    CHECK(j.dump() + "\n" == r.out);
}

TEST_CASE("--json holds its output once: peak memory stays near the output's size") {
    if (::access("/usr/bin/time", X_OK) != 0) {
        MESSAGE("/usr/bin/time (GNU time) is not installed: memory check skipped");
        return;
    }
    // 20 MB of NUL bytes: 120 MB of "\u0000" escapes. Building the whole text in memory, as
    // before, peaked near 300 MB.
    const auto r = run_command({"/bin/sh", "-c",
                                "exec /usr/bin/time -f %M \"$0\" --json 'head -c 20000000 "
                                "/dev/zero' >/dev/null",
                                RUNPIPE_PATH});
    REQUIRE(r.code == 0);
    const long peak_kb = std::atol(r.err.c_str());
    CHECK(peak_kb > 0);
    CHECK(peak_kb < 3 * 20'000 + 16'000);  // 3x the output, plus the program itself
}

namespace {

const char* const kNoScript = "script(1) (util-linux) is not installed: terminal test skipped";
const char* const kNoBash = "script(1) or bash is not installed: job-control test skipped";

std::string runpipe_on_terminal(const std::string& pipeline) {
    return test_support::shell_quoted(RUNPIPE_PATH) + " " + test_support::shell_quoted(pipeline);
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("on a terminal, stages read it as the foreground group; it is given back after") {
    if (!test_support::have_program("script")) {
        MESSAGE(kNoScript);
        return;
    }
    // Before: head, in a background group, stopped on SIGTTIN and runpipe waited forever.
    const auto r = test_support::run_on_terminal(
        runpipe_on_terminal("head -1") + "; echo status=$?; head -1", {{"", "one\ntwo\n"}});
    CHECK(r.code == 0);
    CHECK(r.out.find("status=0") != std::string::npos);
    CHECK(count(r.out, "one\r\n") == 2);  // the terminal's echo, then runpipe's head
    CHECK(count(r.out, "two\r\n") == 2);  // the echo, then the shell's head: terminal given back
}

TEST_CASE("on a terminal, ^C goes to the pipeline: status 130, the terminal given back") {
    if (!test_support::have_program("script")) {
        MESSAGE(kNoScript);
        return;
    }
    const auto r = test_support::run_on_terminal(
        runpipe_on_terminal("sh -c 'echo ab$((1+1)); exec sleep 30'") + "; echo status=$?; head -1",
        {{"ab2", "\x03"}, {"status=", "after\n"}});
    CHECK(r.code == 0);
    CHECK(r.out.find("status=130") != std::string::npos);
    CHECK(count(r.out, "after\r\n") == 2);
}

TEST_CASE("under a job-control shell, ^Z stops runpipe with its pipeline and fg continues both") {
    if (!test_support::have_program("script") || !test_support::have_program("bash")) {
        MESSAGE(kNoBash);
        return;
    }
    const auto r = test_support::run_on_terminal(
        "PS1='$ ' exec bash --norc --noprofile -i",
        {{"$ ", runpipe_on_terminal("sh -c 'echo ab$((1+1)); while read l; do echo got-$l; done'") +
                    "\n"},
         {"ab2", "abc\n"},
         {"got-abc", "\x1a"},
         {"Stopped", ""},
         {"$ ", "fg\n"},  // typed at the prompt, not before
         {"fg\r\n", "def\n"},
         {"got-def", "\x04"},
         {"$ ", "echo status=$?; exit\n"}});
    INFO(r.out);
    CHECK(r.out.find("status=0") != std::string::npos);
}

TEST_CASE(
    "started in the background, runpipe leaves the terminal; a stage reading it waits for fg") {
    if (!test_support::have_program("script") || !test_support::have_program("bash")) {
        MESSAGE(kNoBash);
        return;
    }
    const auto r = test_support::run_on_terminal(
        "PS1='$ ' exec bash --norc --noprofile -i",
        {{"$ ", runpipe_on_terminal("sh -c 'while read l; do echo got-$l; done'") + " &\n"},
         {"$ ", "wait; echo waited\n"},  // returns when the job stops
         {"waited", ""},
         {"$ ", "fg\n"},
         {"fg\r\n", "def\n"},
         {"got-def", "\x04"},
         {"$ ", "echo status=$?; exit\n"}});
    INFO(r.out);
    CHECK(r.out.find("Stopped") != std::string::npos);
    CHECK(r.out.find("status=0") != std::string::npos);
}

TEST_CASE("--help") {
    const auto r = runpipe({"--help"});
    CHECK(r.code == 0);
    CHECK(r.out.starts_with("usage: runpipe"));
    CHECK(r.out.find("U+FFFD") != std::string::npos);
}

TEST_CASE("descriptors 0-9, NAME=value, ~ and line continuations: the same results as /bin/sh") {
    char dir_template[] = "/tmp/runpipe-sh-XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    const std::string dir = dir_template;
    const std::string d = dir + "/";
    // Each file's content (then removed), so each command starts from the same directory.
    auto take_files = [&] {
        std::string all;
        for (const std::string name : {"in", "f", "out", "three", "rw"}) {
            std::ifstream file(d + name);
            all += name +
                   (file ? ": " + std::string(std::istreambuf_iterator<char>(file), {})
                         : std::string(" missing")) +
                   "\n";
            ::unlink((d + name).c_str());
        }
        return all;
    };
    struct Case {
        std::string command;
        bool same_stderr = true;  // false: only "not found" messages differ
    };
    const std::vector<Case> cases = {
        {"echo a 1>" + d + "f"},
        {"ls " + d + "missing 2>/dev/null 1>" + d + "out"},
        {"sh -c 'echo out; echo err >&2' 2>&1 1>/dev/null"},
        {"sh -c 'echo out; echo err >&2' 1>&2 2>" + d + "f"},
        {"sh -c 'echo to3 >&3' 3>" + d + "three"},
        {"sh -c 'echo six >&6' 5>" + d + "f 6>&1"},
        {"sh -c 'echo six >&6; echo five >&5' 4>" + d + "f 6>&1 5>&4"},
        {"sh -c 'cat <&4' 4<" + d + "in 0<&-"},
        {"sh -c 'echo x >&2' 2>&1 | tr x y"},
        {"sh -c 'echo closed' >&-"},
        {"cat <&-"},
        {"echo rw 1<>" + d + "rw"},
        {"echo more 1>>" + d + "in"},
        {"A=1 B='two words' sh -c 'echo $A, $B' | C=3 sh -c 'cat; echo $A$C'"},
        {"HOME=/elsewhere sh -c 'echo $HOME'"},
        {"PATH=/nonexistent ls", false},
        {"HOME=/x echo ~ ~/x a~ '~'"},
        {"echo a\\\nb \\\n c"},
        {"echo \"a$\" a$ $ {} {.} x{ [ ]"},
    };
    for (const auto& test_case : cases) {
        INFO(test_case.command);
        std::ofstream(d + "in") << "input\n";
        const auto ours = run_command({"env", "HOME=" + dir, RUNPIPE_PATH, test_case.command});
        const auto our_files = take_files();
        std::ofstream(d + "in") << "input\n";
        const auto theirs = run_command({"env", "HOME=" + dir, "/bin/sh", "-c", test_case.command});
        CHECK(ours.out == theirs.out);
        CHECK(ours.code == theirs.code);
        CHECK(our_files == take_files());
        if (test_case.same_stderr) CHECK(ours.err == theirs.err);
    }
    ::rmdir(dir.c_str());

    const auto not_open = runpipe({"sh -c 'echo x' 1>&5"});
    CHECK(not_open.code == 1);
    CHECK(not_open.err == "runpipe: 'sh': cannot duplicate descriptor 5: not open\n");
    for (const auto& refused :
         {std::pair{"echo \"$x\"", "column 7: '$' inside \"…\" needs --shell"},
          std::pair{"echo a 10>f", "column 8: only descriptors 0-9"},
          std::pair{"A=1", "column 1: an assignment without a command"},
          std::pair{"echo {a,b}", "column 6: brace expansion"}}) {
        // Not a structured binding: clang 14 cannot capture one in INFO's lambda.
        const std::string command = refused.first;
        const std::string message = refused.second;
        const auto r = runpipe({command});
        INFO(command);
        CHECK(r.code == 2);
        CHECK(r.err.find(message) != std::string::npos);
    }
}

TEST_CASE("leftover processes: captured late output is kept (--json); nothing outlives runpipe") {
    char dir_template[] = "/tmp/runpipe-leftovers-XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    const std::filesystem::path dir = dir_template;
    const std::string f = test_support::shell_quoted((dir / "pids").string());
    // --json captures the output: the background writer is waited for.
    const auto json = runpipe(
        {"--json",
         std::string("sh -c \"echo early; (sleep 0.3; echo late) & echo \\$! > ") + f + "\""});
    CHECK(json.code == 0);
    CHECK(nlohmann::json::parse(json.out).at("stdout") == "early\nlate\n");
    // Straight to our stdout: not waited for, ended with the pipeline; one that left the
    // group (setsid) came to runpipe as an orphan and is ended too.
    const auto direct =
        runpipe({std::string("sh -c \"echo early; (sleep 30; echo late) & echo \\$! >> ") + f +
                 "; setsid sleep 30 & echo \\$! >> " + f + "\""});
    CHECK(direct.code == 0);
    CHECK(direct.out == "early\n");
    const auto pids = test_support::wait_for_pids(dir / "pids", 3);
    REQUIRE(pids.size() == 3);
    for (const pid_t pid : pids) CHECK_FALSE(test_support::process_running(pid));
    test_support::kill_all(pids);
    std::filesystem::remove_all(dir);
}
