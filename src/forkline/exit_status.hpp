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

#ifdef _WIN32
// Windows has no signals: a process ends with an exit code only. spawn_windows.cpp kills
// with TerminateJobObject(job, kKilledExitCode), a customer-range NTSTATUS (bit 29 set) that
// no system component and no ordinary program returns, so that code reads as "killed by
// SIGKILL" (signal 9, as on Linux). A console program that the default CTRL_C/CTRL_BREAK
// handler ended reports STATUS_CONTROL_C_EXIT, read as "killed by SIGINT" (signal 2).
inline constexpr unsigned long kKilledExitCode = 0xE0000009UL;
inline constexpr int kKilledSignal = 9;       // SIGKILL's number (mingw has no SIGKILL)
inline constexpr int kInterruptedSignal = 2;  // SIGINT
// Decodes GetExitCodeProcess()'s code.
ExitStatus exit_status_from_exit_code(unsigned long code);
#else
// Decodes a waitpid()/waitid() status.
ExitStatus exit_status_from_wait(int status);
#endif

}  // namespace forkline
