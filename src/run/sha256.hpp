// SHA-256 (FIPS 180-4), for the joblog's digest of a job's stdin input: a digest that
// `sha256sum` reproduces, so a reader of the joblog can check which input a job had.
#pragma once

#include <string>
#include <string_view>

namespace run {

// The digest of `data` as 64 lowercase hex digits, as sha256sum prints it.
std::string sha256_hex(std::string_view data);

}  // namespace run
