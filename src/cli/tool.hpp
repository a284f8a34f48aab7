// What every tool's main() shares: the error lines, the exit statuses, --version, and the
// check that its output was written.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace cli {

struct Tool {
    std::string name;      // "procs", "forkline run": every message line starts with it
    int usage_status = 2;  // exit status of bad usage (forkline run: 255, as GNU parallel)
    int error_status = 1;  // exit status of any other error (forkline run: 255, as GNU parallel)
};

// Runs a tool's `body` and returns its exit status. Before it: descriptors 0-2 exist (see
// standard_fds.hpp). After it: standard output is flushed and checked. Errors become one
// line on stderr:
//   UsageError   "NAME: error: WHAT (see NAME --help)", exit tool.usage_status
//   OutputError  "NAME: error: cannot write standard output: REASON", exit
//                tool.error_status; a closed pipe (EPIPE) instead ends the tool quietly by
//                SIGPIPE, as coreutils (output_failure.hpp: Windows has no SIGPIPE)
//   other        "NAME: error: WHAT", exit tool.error_status
int run_tool(const Tool& tool, const std::function<int()>& body);

// Prints "NAME (forkline) VERSION" on stdout, the first line help2man and users expect.
void print_version(const std::string& name);

// `text` with its control bytes (NUL, ESC, newline…) shown as \xNN, the rest (UTF-8
// included) kept, so user input can neither cut a message nor act on the terminal.
std::string escaped(std::string_view text);

// escaped(`text`) between single quotes, for a message.
std::string quoted(std::string_view text);

}  // namespace cli
