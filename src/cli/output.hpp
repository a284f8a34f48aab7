// Output that is checked: a tool whose output could not be written says so and fails,
// instead of exiting 0 with nothing written (`tool > /dev/full`, `tool >&-`).
#pragma once

#include <cstdio>
#include <forkline/error.hpp>
#include <string>
#include <string_view>

namespace cli {

// Writing `file_name` failed with `error` (an errno value). run_tool reports it in one line
// and exits 1, or, for EPIPE (the reader of a pipe has gone, as with `| head -1`), dies
// quietly of SIGPIPE as coreutils do.
class OutputError : public forkline::OsError {
  public:
    OutputError(const std::string& file_name, int error)
        : OsError("cannot write " + file_name, error) {}
    int error() const { return code().value(); }
};

// Flushes `file` and throws OutputError if that or any earlier write to it failed. Tools
// that write as they go (a watch loop, a long run) call it after each batch of lines.
void check_output(std::FILE* file, const std::string& file_name = "standard output");

// Writes all of `data` to descriptor `fd`, retrying short writes; throws OutputError.
void write_all(int fd, std::string_view data, const std::string& file_name = "standard output");

}  // namespace cli
