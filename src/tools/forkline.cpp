// forkline: the command-line front of the library; each subcommand lives in its own file.
#include <cstdio>
#include <exception>
#include <string>

#include "subcommands.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace {

constexpr const char* kUsage = R"(usage: forkline COMMAND [ARGS…]

Commands:
  run     run many commands in parallel (as GNU parallel / xargs -P)
  ports   listening ports and the processes behind them
  files   count lines, words, characters, bytes and log levels of files (as wc, in parallel)
  worker  serve a Redis queue: run its jobs on local worker processes (docs/redis.md)
  top     what the running pools are doing (as top); cancel a job, pause, resume

forkline COMMAND --help describes each; forkline --version shows the version.
)";

struct Subcommand {
    const char* name;
    int (*main)(int argc, char** argv);
    int usage_status;  // forkline run follows GNU parallel: 1-101 count failed jobs,
    int error_status;  // 255 is bad usage or any other error
};

constexpr Subcommand kSubcommands[] = {
    {"run", run_main, 255, 255},   {"ports", ports_main, 2, 1}, {"files", files_main, 2, 1},
    {"worker", worker_main, 2, 1}, {"top", top_main, 2, 1},
};

}  // namespace

int main(int argc, char** argv) {
    return cli::run_tool({"forkline"}, [&] {
        const std::string command = argc > 1 ? argv[1] : "";
        if (command == "-h" || command == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (command == "--version") {
            cli::print_version("forkline");
            return 0;
        }
        for (const auto& subcommand : kSubcommands) {
            if (command != subcommand.name) continue;
            return cli::run_tool(
                {"forkline " + command, subcommand.usage_status, subcommand.error_status},
                [&] { return subcommand.main(argc, argv); });
        }
        throw cli::UsageError(command.empty() ? "no command given"
                                              : "unknown command " + cli::quoted(command));
    });
}
