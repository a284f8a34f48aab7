// The tests' own way of running a program (support/run_command.hpp), on every platform: what
// the procs, runpipe and forkline tests rely on.
#include <doctest/doctest.h>

#include <string>

#include "run_command.hpp"

using test_support::run_command;

TEST_CASE("run_command: stdin in, stdout and stderr apart, the exit status") {
    const auto result =
        run_command({STDIO_ECHO_PATH, "3", "0", "two words", "\"quoted\""}, "line 1\nline 2\n");
    CHECK(result.out == "line 1\nline 2\n");
    CHECK(result.err == "two words \"quoted\"");
    CHECK(result.code == 3);
    CHECK(result.signal == 0);
}

TEST_CASE("run_command: a megabyte each way, written and read at once (no deadlock)") {
    std::string input;
    for (int i = 0; input.size() < (1 << 20); ++i) input += std::to_string(i) + "\n";
    const auto result = run_command({STDIO_ECHO_PATH, "0", "0"}, input);
    CHECK(result.out == input);
    CHECK(result.code == 0);
}

TEST_CASE("run_command: killed past its limit") {
    const auto result = run_command({STDIO_ECHO_PATH, "0", "30"}, {}, std::chrono::seconds(1));
    CHECK(result.code == -1);
    CHECK(result.signal == 9);  // SIGKILL; on Windows TerminateProcess, reported the same
}

TEST_CASE("run_command: a program that does not exist is an exception") {
    CHECK_THROWS(run_command({STDIO_ECHO_PATH + std::string("-missing"), "0", "0"}));
}
