// How a process ended: exit code or the signal that killed it.
#pragma once

#include <string>

namespace forkline {

struct ExitStatus {
    int code = 0;    // exit code when signal == 0
    int signal = 0;  // the killing signal, 0 when the process exited

    bool success() const { return signal == 0 && code == 0; }
    // Shell convention: the code, or 128 + signal.
    int shell_code() const { return signal != 0 ? 128 + signal : code; }
    std::string describe() const;  // "exit code 3" / "killed by SIGKILL"
};

// Decodes a waitpid()/waitid() status.
ExitStatus exit_status_from_wait(int status);

}  // namespace forkline
