// forkline top: a minimal entry until the live view (issue 18, the view's branch) lands:
// only the control options, which act on a running pool through its control channel.
#include <string>

#include "forkline_top_control.hpp"
#include "option_numbers.hpp"
#include "options.hpp"
#include "subcommands.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace {

const std::string kTopUsage = std::string(
                                  R"(usage: forkline top PID --cancel JOB | --pause | --resume

Act on the running forkline pool of process PID (its supervisor: procs, forkline run,
forkline files, a program using forkline::Pool; or one of its workers), through the pool's
control channel. Only the pool's own user or root may.
  forkline top 4242 --pause

Options:
)") + kTopControlHelp + R"(  -h, --help      show this help
  --version       show the version

Exit status: 0 done, 1 the pool cannot be reached, refuses, or says no (a job that is not
waiting or running), 2 bad usage.
)";

}  // namespace

int top_main(int argc, char** argv) {
    TopControl control;
    const auto operands = cli::parse_options(argc, argv, 2, {"forkline top", kTopUsage.c_str()},
                                             top_control_options(control));
    if (operands.empty()) throw cli::UsageError("no PID given");
    if (operands.size() > 1)
        throw cli::UsageError("unexpected argument " + cli::quoted(operands[1]));
    const auto pid = cli::parse_count_as<pid_t>("PID", operands[0], 1, 4194304);
    if (!control.given()) throw cli::UsageError("give --cancel JOB, --pause or --resume");
    return run_top_control(pid, control);
}
