// The runpipe CLI end to end.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

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
    CHECK(not_open.err == "runpipe: sh: cannot duplicate descriptor 5: not open\n");
    for (const auto& [command, message] :
         {std::pair{"echo \"$x\"", "column 7: '$' inside \"…\" needs --shell"},
          std::pair{"echo a 10>f", "column 8: only descriptors 0-9"},
          std::pair{"A=1", "column 1: an assignment without a command"},
          std::pair{"echo {a,b}", "column 6: brace expansion"}}) {
        const auto r = runpipe({command});
        INFO(command);
        CHECK(r.code == 2);
        CHECK(r.err.find(message) != std::string::npos);
    }
}
