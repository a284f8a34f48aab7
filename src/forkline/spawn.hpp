// The one place that starts processes: our own launcher (clone with CLONE_VM | CLONE_VFORK,
// as posix_spawn does; no Boost) plus named child-side steps.
//
// Between clone and exec the child: gets a clean signal state (default dispositions,
// SIGPIPE included, empty mask), optionally leads a new process group, and optionally dies
// with its parent (PR_SET_PDEATHSIG, then a getppid() re-check for a parent that died
// first), optionally takes a terminal's foreground. Only fds 0, 1, 2 and the ones listed in
// `inherit` reach the child. A failed exec is reported by spawn(), not as an exit code.
#pragma once

#include <sys/types.h>

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
#include "unique_fd.hpp"

namespace forkline {

struct SpawnOptions {
    std::filesystem::path program{};  // run as is, never searched in PATH or the cwd
    std::vector<std::string> args{};  // argv[1..]
    std::string argv0{};              // argv[0]; empty: the program path
    std::optional<std::vector<std::string>> environment{};  // "K=V" list; none: ours
    std::vector<std::string> extra_env{};  // "K=V" added to the above, replacing the same K
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

// The exec (or the child's setup before it) failed: the program did not run.
struct ExecError : OsError {
    using OsError::OsError;
};

// Starts a child. A failed exec (missing program, no permission, bad interpreter) is
// thrown as ExecError with the errno: "failed to execute PROGRAM: reason"; failing to
// create the process at all (EAGAIN, ENOMEM) as OsError.
Child spawn(const SpawnOptions& options);

// Forks without exec: the child leads a new process group, dies with the spawning thread,
// gets default signal dispositions, runs `body` and _exit()s with its value. Only for code
// that is safe after fork() in this program (see PoolOptions::worker_function).
Child spawn_function(const std::function<int()>& body);

}  // namespace forkline
