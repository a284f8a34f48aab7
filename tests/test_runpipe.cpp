// The runpipe CLI end to end.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "processes.hpp"
#include "run_command.hpp"

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
    CHECK(missing.err == "runpipe: no-such-cmd-xyz: command not found\n");
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
        {{"a | | b"}, "runpipe: syntax error at column 4: empty stage"},
        {{"echo 'x"}, "syntax error at column 6: unterminated ' quote"},
        {{"ls *.c"}, "needs --shell"},
        {{"cat >"}, "needs a file name"},
        {{}, "no command given"},
        {{"--timeout", "abc", "true"}, "--timeout needs a number of seconds"},
        {{"--timeout", "-1", "true"}, "--timeout needs a number of seconds"},
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

TEST_CASE("--help") {
    const auto r = runpipe({"--help"});
    CHECK(r.code == 0);
    CHECK(r.out.starts_with("usage: runpipe"));
    CHECK(r.out.find("U+FFFD") != std::string::npos);
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
