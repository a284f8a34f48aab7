// The one place that starts processes: our own launcher (clone with CLONE_VM | CLONE_VFORK,
// as posix_spawn does; no Boost) plus named child-side steps.
//
// Between clone and exec the child: gets a clean signal state (default dispositions,
// SIGPIPE included, empty mask), optionally leads a new process group, and optionally dies
// with its parent (PR_SET_PDEATHSIG, then a getppid() re-check for a parent that died
// first), optionally takes a terminal's foreground. Only fds 0, 1, 2 and the ones listed in
// `inherit` reach the child. A failed exec is reported by spawn(), not as an exit code.
//
// On Windows (spawn_windows.cpp) the same interface starts a process with CreateProcessW:
// only its three standard handles and the `inherit_handles` listed reach it
// (PROC_THREAD_ATTRIBUTE_HANDLE_LIST, so concurrent spawns never leak handles into each
// other), and it runs inside a Job Object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE: kill()
// terminates the job, so whatever the child started dies with it, and so does the job when
// the last handle to it closes (this process dying included: die_with_parent for free).
#pragma once

#ifndef _WIN32
#include <sys/types.h>
#endif

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <forkline/error.hpp>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exit_status.hpp"
#ifdef _WIN32
#include "unique_handle.hpp"
#else
#include "unique_fd.hpp"
#endif

namespace forkline {

struct SpawnOptions {
    std::filesystem::path program{};  // run as is, never searched in PATH or the cwd
    std::vector<std::string> args{};  // argv[1..]
    std::string argv0{};              // argv[0]; empty: the program path
    std::optional<std::vector<std::string>> environment{};  // "K=V" list; none: ours
    std::vector<std::string> extra_env{};  // "K=V" added to the above, replacing the same K
#ifdef _WIN32
    std::filesystem::path working_directory{};  // empty: ours
    // {0-2, HANDLE}: the child's standard input, output and error. A HANDLE of null gives the
    // child none; a 0-2 not listed gets ours. Inherited through a private duplicate: the
    // caller's handle keeps its flags, and may be listed for several children at once.
    std::vector<std::pair<int, void*>> inherit{};
    // More handles the child inherits under the same values (pass the values on its command
    // line): a worker's segment, its wake event. Each is made inheritable (SetHandleInformation;
    // only spawns that list it pass it on). Opened by the caller, who keeps owning it.
    std::vector<void*> inherit_handles{};
    // The command line after the program name exactly as written, instead of quoting `args`:
    // Windows programs parse their own command line, and some read the quotes (`find "x"`).
    std::optional<std::string> raw_arguments{};
    // A Job Object the child joins (the caller's job, as for a pipeline's stages: kill() then
    // ends them all); null: a job of its own. The Child keeps its own handle to the job.
    void* job = nullptr;
    // CREATE_NEW_PROCESS_GROUP: GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, pid) reaches the
    // child (interrupt()) while a CTRL_C in our console does not; false: it shares ours.
    bool new_process_group = true;
};
#else
    // {fd in child, fd in parent}: stdio (0-2) and extra descriptors. Any source works:
    // one that an earlier dup2 would overwrite is copied first. A parent fd of -1 closes
    // the child's (a 0-2 not listed stays ours).
    std::vector<std::pair<int, int>> inherit{};
    pid_t process_group = 0;                    // 0: leads a new group; > 0: joins it; -1: ours
    std::filesystem::path working_directory{};  // empty: ours
    bool die_with_parent = true;                // SIGKILL when the spawning *thread* exits
    // A terminal (fd) whose foreground group the child's group becomes before the exec, as
    // shells do in the child too: it can never read the terminal from the background.
    int foreground_terminal = -1;  // -1: none
    // With process_group 0: the child stores its new group's id here before its exec, so
    // the group is never running unrecorded (job_group_record.hpp: what a supervisor
    // killed at any instant, or its job guardian, reads). Null: none.
    std::atomic<std::int32_t>* group_record = nullptr;
};
#endif

#ifdef _WIN32
// A started child. Owns its process handle (signalled at exit: WaitForMultipleObjects) and a
// handle to its job. Destroying an unreaped child terminates its job and waits for the
// child: no process of its tree outlives it.
class Child {
  public:
    Child(unsigned long pid, UniqueHandle process, UniqueHandle job)
        : pid_(pid), process_(std::move(process)), job_(std::move(job)) {}
    Child(Child&& other) noexcept;
    Child& operator=(Child&& other) noexcept;
    ~Child();

    unsigned long pid() const { return pid_; }  // 0 once reaped or moved from
    void* handle() const { return process_.get(); }
    void* job() const { return job_.get(); }

    // The status once the child has exited; nullopt while it runs.
    std::optional<ExitStatus> try_wait();
    // Blocks until the child exits.
    ExitStatus wait();
    // Terminates the child's job (TerminateJobObject with kKilledExitCode): the child, what it
    // started, and every other process in a shared job. It then reports "killed by SIGKILL".
    void kill() const;
    // CTRL_BREAK_EVENT to the child's process group (new_process_group): a console program
    // may handle it and exit cleanly; by default it exits with STATUS_CONTROL_C_EXIT ("killed
    // by SIGINT"). False if it could not be sent (no new group, no shared console).
    bool interrupt() const;

  private:
    void destroy() noexcept;

    unsigned long pid_ = 0;
    UniqueHandle process_;  // null once reaped or moved from
    UniqueHandle job_;
};
#else
// A started child. Owns its pid until reaped and a pidfd that polls readable at exit.
// Destroying an unreaped child kills its process group and reaps it: no orphan, no zombie.
class Child {
  public:
    Child(pid_t pid, UniqueFd pidfd, bool leads_group)
        : pid_(pid), pidfd_(std::move(pidfd)), leads_group_(leads_group) {}
    Child(Child&& other) noexcept;
    Child& operator=(Child&& other) noexcept;
    ~Child();

    pid_t pid() const { return pid_; }
    int pidfd() const { return pidfd_.get(); }

    // Reaps the child if it has exited; nullopt while it runs.
    std::optional<ExitStatus> try_wait();
    // Blocks until the child exits, then reaps it.
    ExitStatus wait();
    // Sends `signal` to the child's group (or the child alone when it leads none).
    void kill(int signal) const;

  private:
    void destroy() noexcept;

    pid_t pid_ = -1;  // -1 once reaped or moved from
    UniqueFd pidfd_;
    bool leads_group_ = false;
};
#endif

// The exec (or the child's setup before it) failed: the program did not run.
struct ExecError : OsError {
    using OsError::OsError;
};

// Starts a child. A failed exec (missing program, no permission, bad interpreter) is
// thrown as ExecError with the errno: "failed to execute PROGRAM: reason"; failing to
// create the process at all (EAGAIN, ENOMEM) as OsError. On Windows a failed CreateProcessW
// is an ExecError with the Windows error code (in std::system_category(), Windows. there):
// exec_failure_status() says what it means to a shell.
Child spawn(const SpawnOptions& options);

#ifdef _WIN32
// 127 when an ExecError's Windows code means "not found" (file, path, bad name), else 126
// ("not executable": ERROR_ACCESS_DENIED, ERROR_BAD_EXE_FORMAT, a directory…).
int exec_failure_status(const ExecError& error);

// A new Job Object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, for SpawnOptions::job: every
// process in it dies when its last handle closes (or TerminateJobObject).
UniqueHandle create_kill_on_close_job();
#endif

#ifndef _WIN32

// Forks without exec: the child leads a new process group, dies with the spawning thread,
// gets default signal dispositions, runs `body` and _exit()s with its value. Only for code
// that is safe after fork() in this program (see PoolOptions::worker_function).
Child spawn_function(const std::function<int()>& body);
#endif

}  // namespace forkline
