// The check every tool's suite makes of its own output: with stdout on a full device and
// with stdout closed, each command line fails with exit 1 and exactly one line,
// "TOOL: error: cannot write standard output: REASON".
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "run_command.hpp"

namespace test_support {

inline void check_write_errors(const std::string& tool,
                               const std::vector<std::vector<std::string>>& command_lines) {
    for (const char* redirection : {">/dev/full", ">&-"}) {
        const std::string reason =
            std::string(redirection) == ">&-" ? "Bad file descriptor" : "No space left on device";
        for (const auto& argv : command_lines) {
            INFO(redirection << " " << argv.back());
            const auto r = run_redirected(redirection, argv);
            CHECK(r.code == 1);
            CHECK(r.err == tool + ": error: cannot write standard output: " + reason + "\n");
        }
    }
}

}  // namespace test_support
