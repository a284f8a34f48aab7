// procs end to end on every platform (the Windows build runs this under wine): output
// format and labels, known primes, JSON, modes, bad input. The POSIX-only cases
// (redirections, SIGKILLs) are in test_procs_posix.cpp.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "procs_output.hpp"
#include "run_command.hpp"

using test_support::lines_of;
using test_support::run_command;

using test_support::check_output;
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
