// procs end to end: output format, known primes, bad input, and SIGKILLs.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "procs_output.hpp"
#include "run_command.hpp"
#include "write_errors.hpp"

using test_support::lines_of;
using test_support::run_command;

using test_support::check_output;
using test_support::known_primes;
using test_support::numbers_file;
using test_support::testing_tmp;

TEST_CASE("procs 2: the 20 classic numbers, 9 primes, procs.py's format") {
    const auto r = run_command({PROCS_PATH, "2"});
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    check_output(r.out, 20, 2);
}

TEST_CASE("procs without an argument uses every core") {
    const auto r = run_command({PROCS_PATH});
    CHECK(r.code == 0);
    CHECK(lines_of(r.out).front().starts_with("Checking 20 numbers with "));
}

TEST_CASE("--numbers - reads stdin; --json is parseable") {
    const auto r = run_command({PROCS_PATH, "--numbers", "-", "--json", "3"},
                               "2\n4\n 97 \n\n18446744073709551557\n");
    REQUIRE(r.code == 0);
    const auto lines = lines_of(r.out);
    REQUIRE(lines.size() == 5);
    std::map<std::uint64_t, bool> got;
    for (std::size_t i = 0; i < 4; ++i) {
        const auto j = nlohmann::json::parse(lines[i]);
        got[j.at("n").get<std::uint64_t>()] = j.at("prime").get<bool>();
        CHECK(j.at("elapsed").get<double>() >= 0);
    }
    CHECK(got == std::map<std::uint64_t, bool>{
                     {2, true}, {4, false}, {97, true}, {18446744073709551557u, true}});
    const auto summary = nlohmann::json::parse(lines[4]).at("summary");
    CHECK(summary.at("checked") == 4);
    CHECK(summary.at("primes") == 3);
    CHECK(summary.at("workers") == 3);
}

TEST_CASE("--mode all prints the comparison table") {
    const auto r = run_command({PROCS_PATH, "--mode", "all", "2"});
    REQUIRE(r.code == 0);
    const auto lines = lines_of(r.out);
    REQUIRE(lines.size() == 5);
    CHECK(lines[1].find("speedup") != std::string::npos);
    CHECK(lines[2].starts_with("seq "));
    CHECK(lines[3].starts_with("threads "));
    CHECK(lines[4].starts_with("procs "));
    const auto j = run_command({PROCS_PATH, "--mode", "all", "--json", "2"});
    CHECK(nlohmann::json::parse(j.out).at("modes").size() == 3);
}

TEST_CASE("--mode seq and threads keep the classic formats") {
    const auto seq = run_command({PROCS_PATH, "--mode", "seq"});
    CHECK(lines_of(seq.out).front() == "Checking 20 numbers sequentially:");
    CHECK(lines_of(seq.out).back().starts_with("Total time: "));
    const auto threads = run_command({PROCS_PATH, "--mode", "threads", "2"});
    CHECK(lines_of(threads.out).front() == "Checking 20 numbers with 2 threads:");
}

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

TEST_CASE("--version names the tool and the version") {
    const auto r = run_command({PROCS_PATH, "--version"});
    CHECK(r.code == 0);
    CHECK(r.out.starts_with("procs (forkline) "));
}

TEST_CASE("bad input: one line on stderr, exit 2, nothing on stdout") {
    const auto bad_file = std::string(testing_tmp()) + "/bad.txt";
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"0"}, "PROCESSES needs a whole number from 1 to 4096, not '0'"},
        {{"abc"}, "PROCESSES needs a whole number"},
        {{" 2"}, "PROCESSES needs a whole number"},
        {{"-j"}, "unknown option '-j'"},
        {{"--json=yes"}, "option --json takes no value"},
        {{"-3"}, "unknown option '-3'"},
        {{"--bogus"}, "unknown option '--bogus'"},
        {{"2", "3"}, "unexpected argument '3'"},
        {{"--mode", "fast"}, "unknown mode 'fast'"},
        {{"--numbers"}, "needs a value"},
        {{"--numbers", "/nonexistent"}, "cannot read '/nonexistent': No such file or directory"},
        {{"--numbers", "/"}, "cannot read '/': Is a directory"},
        {{"--numbers", bad_file}, "bad.txt:2: not a number"},
    };
    for (const char* content : {"5\n18446744073709551616\n", "5\n-7\n", "5\nseven\n"}) {
        std::ofstream(bad_file) << content;
        for (const auto& test_case : cases) {
            const auto& args = test_case.first;  // not a structured binding: INFO captures it
            const auto& message = test_case.second;
            std::vector<std::string> argv{PROCS_PATH};
            argv.insert(argv.end(), args.begin(), args.end());
            const auto r = run_command(argv);
            INFO(args.front() << " / " << content);
            CHECK(r.code == 2);
            CHECK(r.out.empty());
            CHECK(lines_of(r.err).size() == 1);
            CHECK(r.err.starts_with("procs: error: "));
            CHECK(r.err.find(message) != std::string::npos);
        }
    }
}

TEST_CASE("--help") {
    const auto r = run_command({PROCS_PATH, "--help"});
    CHECK(r.code == 0);
    CHECK(r.out.starts_with("usage: procs"));
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
