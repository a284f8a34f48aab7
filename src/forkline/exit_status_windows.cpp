// How a Windows process ended: its exit code, with the codes that mean "killed" mapped to
// the signal numbers Linux reports for the same event (exit_status.hpp says which).
#include <windows.h>

#include "exit_status.hpp"

namespace forkline {

std::string ExitStatus::describe() const {
    if (signal == 0) return "exit code " + std::to_string(code);
    if (signal == kKilledSignal) return "killed by SIGKILL";
    if (signal == kInterruptedSignal) return "killed by SIGINT";
    return "killed by signal " + std::to_string(signal);
}

ExitStatus exit_status_from_exit_code(unsigned long code) {
    if (code == kKilledExitCode) return {0, kKilledSignal};
    if (code == static_cast<unsigned long>(STATUS_CONTROL_C_EXIT)) return {0, kInterruptedSignal};
    // Other NTSTATUS codes (0xC0000005, an access violation) stay codes, as Windows shows
    // them; as an int they are negative, and shell_code() keeps them.
    return {static_cast<int>(code), 0};
}

}  // namespace forkline
