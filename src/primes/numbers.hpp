// The numbers procs checks: the classic list, or one number per line from a stream.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace primes {

// The 20 numbers of the classic primes.py, in its order (data, not results).
const std::vector<std::uint64_t>& classic_numbers();

// A decimal number in [0, 2^64-1]: digits only, surrounding blanks allowed. nullopt for
// anything else (sign, letters, empty, overflow).
std::optional<std::uint64_t> parse_number(std::string_view text);

// One number per line; blank lines are skipped. Throws std::runtime_error naming the
// source, line number and text of the first bad line.
std::vector<std::uint64_t> read_numbers(std::istream& in, const std::string& source_name);

}  // namespace primes
