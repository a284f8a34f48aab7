// forkline: the command-line front of the library; each subcommand lives in its own file.
#include <cstdio>
#include <exception>
#include <string>

#include "arguments.hpp"
#include "standard_fds.hpp"
#include "subcommands.hpp"

namespace {

constexpr const char* kUsage = R"(usage: forkline COMMAND [ARGS…]

Commands:
  run     run many commands in parallel (as GNU parallel / xargs -P)
  ports   listening ports and the processes behind them
  files   count lines, words, characters, bytes and log levels of files (as wc, in parallel)
  worker  serve a Redis queue: run its jobs on local worker processes (docs/redis.md)

forkline COMMAND --help describes each.
)";

struct Subcommand {
    const char* name;
    int (*main)(int argc, char** argv);
};

constexpr Subcommand kSubcommands[] = {
    {"run", run_main},
    {"ports", ports_main},
    {"files", files_main},
    {"worker", worker_main},
};

}  // namespace

int main(int argc, char** argv) {
    forkline::ensure_standard_fds();
    const std::string command = argc > 1 ? argv[1] : "";
    std::string prefix = "forkline";
    try {
        if (command == "-h" || command == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        for (const auto& subcommand : kSubcommands) {
            if (command != subcommand.name) continue;
            prefix += " " + command;
            return subcommand.main(argc, argv);
        }
        throw tools::UsageError(command.empty() ? "no command given"
                                                : "unknown command '" + command + "'");
    } catch (const tools::UsageError& e) {
        std::fprintf(stderr, "%s: error: %s (see %s --help)\n", prefix.c_str(), e.what(),
                     prefix.c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: error: %s\n", prefix.c_str(), e.what());
        return 1;
    }
}
