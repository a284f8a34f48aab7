#include "procs_output.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "run_command.hpp"

namespace test_support {

const char* testing_tmp() {
    static const std::string dir = scratch_directory("forkline-test");
    return dir.c_str();
}

std::map<std::uint64_t, bool> known_primes() {
    std::ifstream tsv(TEST_DATA_DIR "/primes.tsv");
    std::string header;
    std::getline(tsv, header);
    std::map<std::uint64_t, bool> known;
    for (std::uint64_t n; tsv >> n;) {
        int prime = 0;
        tsv >> prime;
        known[n] = prime == 1;
    }
    return known;
}

void check_output(const std::string& out, std::size_t count, unsigned processes) {
    const auto lines = lines_of(out);
    REQUIRE(lines.size() == count + 2);
    CHECK(lines.front() == "Checking " + std::to_string(count) + " numbers with " +
                               std::to_string(processes) + " processes:");
    CHECK(std::regex_match(lines.back(),
                           std::regex(std::to_string(count) + R"( checks in \d+\.\d\ds)")));
    const auto known = known_primes();
    const std::regex line(R"(^ *(\d+)  ([P ]) +\d+\.\d{6}s$)");
    std::size_t primes = 0;
    for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
        std::smatch m;
        REQUIRE_MESSAGE(std::regex_match(lines[i], m, line), lines[i]);
        CHECK(lines[i].substr(16, 2) == "  ");  // f"{n:16}  {label} {elapsed:9.6f}s"
        const auto n = std::stoull(m[1]);
        REQUIRE(known.count(n) == 1);
        CHECK(known.at(n) == (m[2] == "P"));
        primes += m[2] == "P" ? 1 : 0;
    }
    CHECK(primes == 9 * count / 20);
}

std::string numbers_file(int times) {
    const auto path = std::string(testing_tmp()) + "/numbers-" + std::to_string(times) + ".txt";
    std::ofstream file(path);
    for (int i = 0; i < times; ++i) {
        for (const auto& [n, prime] : known_primes()) file << n << "\n";
    }
    return path;
}

}  // namespace test_support
