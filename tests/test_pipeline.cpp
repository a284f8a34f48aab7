// run_pipeline against real programs, after CPython's test_subprocess.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <filesystem>
#include <forkline/pipeline.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "fd_starved.hpp"
#include "processes.hpp"
#include "run_command.hpp"
#include "unique_fd.hpp"

using forkline::run_pipeline;
using forkline::Stage;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path& scratch() {
    static const std::filesystem::path dir = test_support::scratch_directory("forkline-pipeline");
    return dir;
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

Stage sh(const std::string& script) {
    return Stage{{"sh", "-c", script}};
}

const forkline::PipelineOptions kCapture{
    .stdin_null = true, .capture_stdout = true, .capture_stderr = true};

}  // namespace

TEST_CASE("several MB on stdout and stderr at once: no deadlock") {
    const auto r =
        run_pipeline({sh("head -c 6000000 /dev/zero; head -c 5000000 /dev/zero >&2")}, kCapture);
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_data.size() == 6'000'000);
    CHECK(r.stderr_data.size() == 5'000'000);
}

TEST_CASE("input far larger than a pipe buffer, echoed back while it is written") {
    std::string input(8'000'000, 'a');
    for (std::size_t i = 0; i < input.size(); i += 7)
        input[i] = static_cast<char>(i % 251);  // NULs too
    const auto r = run_pipeline("cat | tr a b | cat", {.input = input, .capture_stdout = true});
    CHECK(r.exit_code == 0);
    std::string expected = input;
    std::replace(expected.begin(), expected.end(), 'a', 'b');
    CHECK(r.stdout_data == expected);
}

TEST_CASE("NUL bytes pass through untouched") {
    const std::string input("a\0b\0\0c", 6);
    const auto r = run_pipeline("cat", {.input = input, .capture_stdout = true});
    CHECK(r.stdout_data == input);
}

TEST_CASE("timeout: SIGTERM to the group, partial output kept, 124") {
    const auto r = run_pipeline({sh("echo partial; exec sleep 30")},
                                {.stdin_null = true, .capture_stdout = true, .timeout = 200ms});
    CHECK(r.timed_out);
    CHECK(r.exit_code == 124);
    CHECK(r.stdout_data == "partial\n");
    CHECK(r.stages[0].signal == SIGTERM);
}

TEST_CASE("a stage that ignores SIGTERM is SIGKILLed after the grace period") {
    const auto r = run_pipeline(
        {sh("trap '' TERM; echo ready; while :; do sleep 1; done")},
        {.stdin_null = true, .capture_stdout = true, .timeout = 300ms, .grace = 200ms});
    CHECK(r.timed_out);
    CHECK(r.stdout_data == "ready\n");
    CHECK(r.stages[0].signal == SIGKILL);
}

TEST_CASE("a grandchild holding the output pipe does not hold the pipeline past the deadline") {
    // In the group: it gets the SIGTERM too.
    const auto r = run_pipeline({sh("sleep 30 & echo started")},
                                {.stdin_null = true, .capture_stdout = true, .timeout = 300ms});
    CHECK(r.timed_out);
    CHECK(r.stdout_data == "started\n");
    CHECK(r.stages[0].exit_code == 0);
    // Out of the group (setsid): not killed by us, not waited for either.
    const auto pid_file = scratch() / "escaped.pid";
    const auto escaped = run_pipeline(
        {sh("setsid sh -c 'echo $$ > " + pid_file.string() + "; exec sleep 30' & echo started")},
        {.stdin_null = true, .capture_stdout = true, .timeout = 300ms, .grace = 100ms});
    CHECK(escaped.timed_out);
    CHECK(escaped.stdout_data == "started\n");
    for (int i = 0; i < 100 && !std::filesystem::exists(pid_file); ++i)
        std::this_thread::sleep_for(10ms);
    pid_t pid = 0;
    std::ifstream(pid_file) >> pid;
    if (pid > 0) ::kill(pid, SIGKILL);
}

TEST_CASE("early exit of a reader: SIGPIPE for the writer, success for the pipeline") {
    const auto r = run_pipeline("yes | head -3", {.capture_stdout = true});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_data == "y\ny\ny\n");
    CHECK(r.stages[0].signal == SIGPIPE);
    const auto failing = run_pipeline("yes | head -3", {.capture_stdout = true, .pipefail = true});
    CHECK(failing.exit_code == 128 + SIGPIPE);
    // Input the first stage never reads: EPIPE for us, no SIGPIPE, no error.
    const auto input =
        run_pipeline("head -c 10", {.input = std::string(4'000'000, 'x'), .capture_stdout = true});
    CHECK(input.exit_code == 0);
    CHECK(input.stdout_data == std::string(10, 'x'));
}

TEST_CASE("missing, non-executable and directory programs: 127, 126, 126, the rest still runs") {
    const auto missing = run_pipeline("no-such-program-xyz | cat", kCapture);
    CHECK(missing.stages[0].error == "command not found");
    CHECK(missing.stages[0].shell_code() == 127);
    CHECK(missing.exit_code == 0);  // the last stage's, as in bash
    CHECK(run_pipeline("cat | no-such-program-xyz", kCapture).exit_code == 127);
    CHECK(run_pipeline("/etc/passwd", kCapture).exit_code == 126);
    CHECK(run_pipeline("/tmp", kCapture).exit_code == 126);
    CHECK(run_pipeline("./definitely/not/here", kCapture).exit_code == 127);
}

TEST_CASE("exec failures are the stage's: no interpreter 127, not an executable format 126") {
    const auto dir = scratch();
    std::ofstream(dir / "bad-interpreter") << "#!/nonexistent/interpreter\n";
    std::ofstream(dir / "garbage") << "\x7f\x01 not a program\n";
    for (const char* name : {"bad-interpreter", "garbage"})
        std::filesystem::permissions(dir / name, std::filesystem::perms::owner_all);
    const auto no_interpreter =
        run_pipeline((dir / "bad-interpreter").string() + " | cat", kCapture);
    CHECK(no_interpreter.stages[0].shell_code() == 127);
    CHECK(no_interpreter.stages[1].exit_code == 0);
    CHECK(run_pipeline((dir / "garbage").string(), kCapture).exit_code == 126);
}

TEST_CASE("a relative program path is relative to the working directory") {
    const auto dir = scratch() / "wd";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "hello.sh") << "#!/bin/sh\necho hello from $(pwd)\n";
    std::filesystem::permissions(dir / "hello.sh", std::filesystem::perms::owner_all);
    const auto r = run_pipeline(
        "./hello.sh", {.stdin_null = true, .capture_stdout = true, .working_directory = dir});
    CHECK(r.stdout_data == "hello from " + dir.string() + "\n");
}

TEST_CASE("stderr_fd: every stage's stderr goes there, stdout still flows through the pipe") {
    const auto out = scratch() / "stderr_fd.txt";
    {
        const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        REQUIRE(fd >= 0);
        const auto r = run_pipeline({sh("echo err >&2; echo out"), Stage{{"tr", "a-z", "A-Z"}}},
                                    {.stdin_null = true, .capture_stdout = true, .stderr_fd = fd});
        ::close(fd);
        CHECK(r.stdout_data == "OUT\n");
    }
    CHECK(slurp(out) == "err\n");
}

TEST_CASE("exit codes: last stage, pipefail, signals") {
    CHECK(run_pipeline("false | true", kCapture).exit_code == 0);
    CHECK(run_pipeline("false | true", {.stdin_null = true, .pipefail = true}).exit_code == 1);
    CHECK(run_pipeline("true | false", kCapture).exit_code == 1);
    CHECK(run_pipeline({sh("exit 7")}, kCapture).exit_code == 7);
    const auto killed = run_pipeline({sh("kill -KILL $$")}, kCapture);
    CHECK(killed.exit_code == 137);
    CHECK(killed.stages[0].signal == SIGKILL);
}

TEST_CASE("children see only fds 0, 1 and 2") {
    // Stages given as argv, not parsed text: the build path may hold any character.
    const auto r = forkline::run_pipeline(
        std::vector<forkline::Stage>{{{LIST_FDS_PATH}}, {{"cat"}}}, kCapture);
    CHECK(r.stdout_data == "0\n1\n2\n");
}

TEST_CASE("descriptors 3-9 reach a child only when its redirections open them; >&- closes") {
    using Kind = forkline::Redirect::Kind;
    const auto three = (scratch() / "three").string();
    const auto r = run_pipeline({Stage{{LIST_FDS_PATH},
                                       {{Kind::output, three, 3},
                                        {Kind::duplicate, {}, 9, 1},
                                        {Kind::duplicate, {}, 7, 3},
                                        {Kind::close, {}, 3},
                                        {Kind::close, {}, 0}}},
                                 Stage{{"cat"}}},
                                kCapture);
    CHECK(r.stdout_data == "1\n2\n7\n9\n");
    // N>f then N+1<&0: the copy of our stdin, made before the child's dup2()s, must not sit
    // at N's number (one of these N is where it would land without care).
    for (int fd = 3; fd < 9; ++fd) {
        const auto copy = std::to_string(fd + 1);
        const auto same =
            run_pipeline({Stage{{"sh", "-c", "readlink /proc/$$/fd/0 /proc/$$/fd/" + copy},
                                {{Kind::output, three, fd}, {Kind::duplicate, {}, fd + 1, 0}}}},
                         {.capture_stdout = true});
        const auto lines = test_support::lines_of(same.stdout_data);
        INFO(fd << ": " << same.stdout_data);
        REQUIRE(lines.size() == 2);
        CHECK(lines[0] == lines[1]);
    }
    const auto not_open = run_pipeline({Stage{{"true"}, {{Kind::duplicate, {}, 1, 4}}}}, kCapture);
    CHECK(not_open.stages[0].error == "cannot duplicate descriptor 4: not open");
    CHECK(not_open.exit_code == 1);
}

TEST_CASE("a stage's assignments: over the environment, PATH included for its lookup") {
    const forkline::PipelineOptions options{
        .stdin_null = true,
        .capture_stdout = true,
        .environment = std::vector<std::string>{"A=old", "B=kept", "PATH=/nonexistent"}};
    auto stage = sh("echo $A $B $C; env | grep -c '^A='");
    stage.assignments = {"A=new", "C=added", "PATH=/usr/bin:/bin"};
    const auto r = run_pipeline({stage}, options);
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_data == "new kept added\n1\n");
    CHECK_THROWS_AS(run_pipeline({Stage{{"true"}, {}, {"=x"}}}, options), forkline::Error);
}

TEST_CASE("all stages share one new process group") {
    const auto r = run_pipeline(
        {sh("ps -o pgid= -p $$"), Stage{{"cat"}}, sh("cat; ps -o pgid= -p $$")}, kCapture);
    const auto lines = test_support::lines_of(r.stdout_data);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == lines[1]);
    CHECK(std::stoi(lines[0]) == r.stages[0].pid);
    CHECK(std::stoi(lines[0]) != ::getpgrp());
}

TEST_CASE("redirections to and from files, applied in order") {
    const auto dir = scratch();
    std::ofstream(dir / "in.txt") << "b\na\nc\n";
    run_pipeline("sort < " + (dir / "in.txt").string() + " > " + (dir / "out.txt").string(),
                 kCapture);
    CHECK(slurp(dir / "out.txt") == "a\nb\nc\n");
    run_pipeline("echo more >> " + (dir / "out.txt").string(), kCapture);
    CHECK(slurp(dir / "out.txt") == "a\nb\nc\nmore\n");
    const auto both = (dir / "both.txt").string();
    run_pipeline({Stage{{"sh", "-c", "echo out; echo err >&2"},
                        {{forkline::Redirect::Kind::output, both},
                         {forkline::Redirect::Kind::duplicate, {}, 2, 1}}}},  // 2>&1
                 kCapture);
    CHECK(slurp(both) == "out\nerr\n");
    const auto swapped = run_pipeline("sh -c 'echo out; echo err >&2' 2>&1 > " + both, kCapture);
    CHECK(slurp(both) == "out\n");
    CHECK(swapped.stdout_data == "err\n");
    run_pipeline("sh -c 'echo err >&2' 2> " + (dir / "err.txt").string(), kCapture);
    CHECK(slurp(dir / "err.txt") == "err\n");
    // As in a shell: that stage fails with status 1, the others run.
    const auto missing = run_pipeline("cat < /nonexistent/file | wc -l", kCapture);
    CHECK(missing.stages[0].error.find("cannot open '/nonexistent/file'") != std::string::npos);
    CHECK(missing.stages[0].shell_code() == 1);
    CHECK(missing.stdout_data == "0\n");
    CHECK(missing.exit_code == 0);
}

TEST_CASE("environment and working directory") {
    const auto r =
        run_pipeline({sh("echo $GREETING; pwd")},
                     {.stdin_null = true,
                      .capture_stdout = true,
                      .environment = std::vector<std::string>{"GREETING=hi", "PATH=/usr/bin:/bin"},
                      .working_directory = "/usr"});
    CHECK(r.stdout_data == "hi\n/usr\n");
    CHECK_THROWS_AS(run_pipeline("true", {.working_directory = "/nonexistent"}), forkline::Error);
}

TEST_CASE("syntax errors throw before anything starts") {
    CHECK_THROWS_AS(run_pipeline("echo 'x"), forkline::ParseError);
    CHECK_THROWS_AS(run_pipeline(std::vector<Stage>{}), forkline::Error);
}

TEST_CASE("no zombie and no fd left behind") {
    const auto before = test_support::open_fds();
    for (int i = 0; i < 20; ++i) {
        run_pipeline("yes | head -1 | cat", kCapture);
        run_pipeline({sh("sleep 5")}, {.stdin_null = true, .timeout = 10ms, .grace = 10ms});
    }
    CHECK(test_support::open_fds() == before);
    CHECK(test_support::children_of(::getpid()).empty());
}

TEST_CASE("foreground_terminal: a stage reads the terminal; the terminal is given back after") {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    const std::string terminal = ::ptsname(master);
    REQUIRE(::write(master, "typed\n", 6) == 6);  // a line waiting on the terminal
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // A session of its own, whose controlling terminal (and stdin) is the pseudo-terminal:
        // its group is the foreground one, as a command's typed at a shell.
        const int tty = ::setsid() < 0 ? -1 : ::open(terminal.c_str(), O_RDWR);
        if (tty < 0 || ::dup2(tty, STDIN_FILENO) < 0) ::_exit(2);
        // Without the terminal, head would stop on SIGTTIN: the timeout bounds that.
        const auto r = run_pipeline(
            "head -1",
            {.capture_stdout = true, .timeout = 10s, .grace = 100ms, .foreground_terminal = true});
        const bool given_back = ::tcgetpgrp(STDIN_FILENO) == ::getpgrp();
        ::_exit(r.exit_code == 0 && r.stdout_data == "typed\n" && given_back ? 0 : 1);
    }
    int status = -1;
    for (int waited = 0; waited < 300 && ::waitpid(pid, &status, WNOHANG) == 0; ++waited)
        std::this_thread::sleep_for(50ms);
    if (status == -1) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    }
    ::close(master);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("foreground_terminal leaves the signal mask as it was") {
    const auto r =
        run_pipeline("cat", {.input = "x", .capture_stdout = true, .foreground_terminal = true});
    CHECK(r.stdout_data == "x");
    sigset_t mask;
    ::pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    CHECK(::sigismember(&mask, SIGCHLD) == 0);
}

TEST_CASE(
    "a background process writing to captured output is waited for: output kept, gone at the "
    "end") {
    const auto pid_file = scratch() / "background-captured.pid";
    const auto r = run_pipeline(
        {sh("echo early; (sleep 0.3; echo late) & echo $! > '" + pid_file.string() + "'")},
        {.stdin_null = true, .capture_stdout = true, .capture_stderr = true});
    const auto pids = test_support::wait_for_pids(pid_file, 1);
    CHECK(r.stdout_data == "early\nlate\n");
    CHECK(r.exit_code == 0);
    REQUIRE(pids.size() == 1);
    CHECK_FALSE(test_support::process_running(pids[0]));  // at once: not a moment later
    test_support::kill_all(pids);
}

TEST_CASE("what a pipeline left running, not holding its captured output, is ended with it") {
    // One that takes SIGTERM, and one that ignores it: SIGKILL after the grace period.
    const auto pid_file = scratch() / "background-detached.pid";
    const auto r =
        run_pipeline({sh("sleep 30 >/dev/null 2>&1 & echo $! > '" + pid_file.string() +
                         "'; (trap '' TERM; exec sleep 30) >/dev/null 2>&1 & echo $! >> '" +
                         pid_file.string() + "'; echo early")},
                     {.stdin_null = true, .capture_stdout = true, .grace = 100ms});
    const auto pids = test_support::wait_for_pids(pid_file, 2);
    CHECK(r.stdout_data == "early\n");
    REQUIRE(pids.size() == 2);
    CHECK_FALSE(test_support::process_running(pids[0]));
    CHECK_FALSE(test_support::process_running(pids[1]));
    test_support::kill_all(pids);
}

TEST_CASE("output not captured (stdout_fd): a background writer is not waited for, and ended") {
    const auto pid_file = scratch() / "background-uncaptured.pid";
    const auto out_file = scratch() / "background-uncaptured.out";
    const forkline::UniqueFd out(
        ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    REQUIRE(out.valid());
    const auto r = run_pipeline(
        {sh("echo early; (sleep 30; echo late) & echo $! > '" + pid_file.string() + "'")},
        {.stdin_null = true, .stdout_fd = out.get()});
    const auto pids = test_support::wait_for_pids(pid_file, 1);
    CHECK(r.exit_code == 0);
    CHECK(slurp(out_file) == "early\n");
    REQUIRE(pids.size() == 1);
    CHECK_FALSE(test_support::process_running(pids[0]));
    test_support::kill_all(pids);
}

TEST_CASE("out of descriptors at any step: forkline::Error, never a bare std::system_error") {
    CHECK(test_support::runs_escaping_forkline_error(
              [] {
                  run_pipeline("cat | tr a b | cat", {.input = "abc",
                                                      .capture_stdout = true,
                                                      .capture_stderr = true,
                                                      .forward_signals = {SIGTERM}});
              },
              16) == 0);
}
