// What the procs tests share: the known primes and a check of procs' text output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace test_support {

// A private directory for this test run's files.
const char* testing_tmp();

// tests/data/primes.tsv: n → is it prime.
std::map<std::uint64_t, bool> known_primes();

// Checks procs' text output: header, one line per number with the right label, footer.
void check_output(const std::string& out, std::size_t count, unsigned processes);

// The classic numbers `times` over, as a --numbers file: a run long enough to kill into.
std::string numbers_file(int times);

}  // namespace test_support
