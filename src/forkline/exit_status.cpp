#include "exit_status.hpp"

namespace forkline {

std::string ExitStatus::describe() const {
    if (signal == 0) return "exit code " + std::to_string(code);
    return "killed by " + signal_name(signal);
}

}  // namespace forkline
