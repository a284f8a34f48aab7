// procs end to end, the POSIX-only cases: failed writes and closed descriptors (shell
// redirections), a closed pipe (SIGPIPE), and SIGKILLs of its workers and of procs itself.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "procs_output.hpp"
#include "run_command.hpp"
#include "write_errors.hpp"

using test_support::check_output;
using test_support::numbers_file;
using test_support::run_command;
using test_support::testing_tmp;

TEST_CASE("a failed write or a closed descriptor is one line on stderr and exit 1") {
    test_support::check_write_errors(
        "procs", {{PROCS_PATH, "--mode=procs", "2"}, {PROCS_PATH, "--json", "2"}});
    const auto closed_stdin =
        test_support::run_redirected("<&-", {PROCS_PATH, "--numbers", "-", "2"});
    CHECK(closed_stdin.code == 2);
    CHECK(closed_stdin.err ==
          "procs: error: cannot read standard input: Bad file descriptor (see procs --help)\n");
}

TEST_CASE("procs | head -1: a closed pipe ends procs quietly, as coreutils") {
    std::string many;  // more lines than a pipe holds, so procs writes after head has gone
    for (int i = 0; i < 20000; ++i) many += "7\n";
    const auto r =
        run_command({"/bin/sh", "-c", "\"$0\" --numbers - 2 | head -1", PROCS_PATH}, many);
    CHECK(r.code == 0);
    CHECK(r.out == "Checking 20000 numbers with 2 processes:\n");
    CHECK(r.err.empty());
}

TEST_CASE("SIGKILL a worker of procs at random moments: still every result, exit 0, no leak") {
    const auto numbers = numbers_file(10);  // 200 checks
    std::mt19937 random(std::random_device{}());
    for (int run = 0; run < 15; ++run) {
        const auto out_path = std::string(testing_tmp()) + "/out.txt";
        const pid_t procs = ::fork();
        if (procs == 0) {  // run procs with stdout to a file
            std::FILE* out = std::freopen(out_path.c_str(), "w", stdout);
            (void)out;
            ::execl(PROCS_PATH, PROCS_PATH, "--numbers", numbers.c_str(), "3", nullptr);
            ::_exit(127);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5 + random() % 60));
        const auto workers = test_support::children_of(procs);
        if (!workers.empty()) ::kill(workers[random() % workers.size()], SIGKILL);
        int status = 0;
        REQUIRE(::waitpid(procs, &status, 0) == procs);
        INFO("run " << run);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        std::ifstream in(out_path);
        const std::string out((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
        check_output(out, 200, 3);
        CHECK(test_support::segments_of(procs).empty());
    }
}

TEST_CASE("SIGKILL the supervisor: its workers die within a second; a stale segment is swept") {
    const auto numbers = numbers_file(50);
    const pid_t procs = test_support::start_command({PROCS_PATH, "--numbers", numbers, "2"});
    const auto workers = test_support::wait_for_children(procs, 2);
    REQUIRE(workers.size() == 2);
    ::kill(procs, SIGKILL);
    int status = 0;
    ::waitpid(procs, &status, 0);
    for (const pid_t worker : workers)
        CHECK(test_support::wait_gone(worker, std::chrono::milliseconds(1000)));
    CHECK(test_support::segments_of(procs).empty());  // the name was removed at start

    // A segment left by a dead creator (as after a SIGKILL before the workers attached).
    const auto stale = "/dev/shm/forkline-" + std::to_string(procs) + "-00000000deadbeef";
    std::ofstream(stale) << "stale";
    REQUIRE(test_support::segments_of(procs).size() == 1);
    const auto r = run_command({PROCS_PATH, "1"});
    CHECK(r.code == 0);
    CHECK(test_support::segments_of(procs).empty());
}
