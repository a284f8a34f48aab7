// spawn(): our own launcher. clone(CLONE_VM | CLONE_VFORK) runs the child setup on a
// small stack of its own while the parent waits for the exec, as posix_spawn does, so the
// cost does not grow with the parent's size (fork() copies page tables: 34 launches/s
// from a 1 GiB process, design.md §6). Unlike posix_spawn it can set PR_SET_PDEATHSIG.
// Boost.Process v2's launchers were the first choice and are not used: in 1.81 the
// default one forks, its vfork_launcher crashes, its close_all() leaves fds open between
// whitelisted ones, and on a failed exec its child calls exit() instead of _exit().
#include "spawn.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sanitizer/asan_interface.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <system_error>

#include "os_error.hpp"

extern char** environ;

namespace forkline {

namespace {

// Everything the child needs, prepared by the parent: the child allocates nothing.
struct LaunchPlan {
    const char* program;
    char* const* argv;
    char* const* envp;
    const std::pair<int, int>* inherit;
    std::size_t inherit_count;
    const int* kept;  // sorted fds > 2 the child keeps
    std::size_t kept_count;
    pid_t process_group;
    int foreground_terminal;        // -1: none
    const char* working_directory;  // null: ours
    bool die_with_parent;
    pid_t parent;
    std::atomic<std::int32_t>* group_record;  // null: none
    int error = 0;  // set by the child when a step fails (the memory is shared)
};

// The child's steps, each async-signal-safe; each returns false with errno set.

bool reset_signals() {
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &default_action, nullptr);
    }
    return true;
}

// dup2 clears O_CLOEXEC on the copy; an fd already in place needs it cleared by hand.
// A parent fd of -1 closes the child's (sh's ">&-").
bool place_inherited_fds(const LaunchPlan& plan) {
    for (std::size_t i = 0; i < plan.inherit_count; ++i) {
        const auto [child_fd, parent_fd] = plan.inherit[i];
        if (parent_fd < 0) {
            ::close(child_fd);
            continue;
        }
        const int result =
            child_fd == parent_fd ? ::fcntl(child_fd, F_SETFD, 0) : ::dup2(parent_fd, child_fd);
        if (result == -1) return false;
    }
    return true;
}

bool mark_cloexec(unsigned first, unsigned last) {
    if (::syscall(SYS_close_range, first, last, CLOSE_RANGE_CLOEXEC) == 0) return true;
    if (errno != EINVAL && errno != ENOSYS) return false;
    // Kernels before 5.11: one by one (EBADF for the many that are not open).
    const unsigned limit = std::min(last, static_cast<unsigned>(::sysconf(_SC_OPEN_MAX)));
    for (unsigned fd = first; fd <= limit && fd >= first; ++fd)
        ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
    return true;
}

// Even an fd the parent inherited without O_CLOEXEC must not reach the program.
bool close_others_at_exec(const LaunchPlan& plan) {
    unsigned from = STDERR_FILENO + 1;
    for (std::size_t i = 0; i < plan.kept_count; ++i) {
        const auto fd = static_cast<unsigned>(plan.kept[i]);
        if (fd > from && !mark_cloexec(from, fd - 1)) return false;
        from = fd + 1;
    }
    return mark_cloexec(from, ~0U);
}

bool join_process_group(const LaunchPlan& plan) {
    if (plan.process_group < 0) return true;
    if (::setpgid(0, plan.process_group) != 0) return false;
    // A new group is recorded before anything of it runs (one atomic store: safe here).
    if (plan.process_group == 0 && plan.group_record != nullptr)
        plan.group_record->store(::getpid(), std::memory_order_release);
    return true;
}

// Allowed from a background group because SIGTTOU is blocked here (every signal is until
// unblock_signals). Best effort, as in shells: the parent makes the same call.
bool take_terminal(const LaunchPlan& plan) {
    if (plan.foreground_terminal >= 0) ::tcsetpgrp(plan.foreground_terminal, ::getpgrp());
    return true;
}

bool tie_to_parent(const LaunchPlan& plan) {
    if (!plan.die_with_parent) return true;
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return false;
    if (::getppid() != plan.parent) {  // the parent died before prctl took effect
        errno = ESRCH;
        return false;
    }
    return true;
}

bool unblock_signals() {
    sigset_t none;
    ::sigemptyset(&none);
    return ::sigprocmask(SIG_SETMASK, &none, nullptr) == 0;
}

int child_main(void* argument) {
    auto& plan = *static_cast<LaunchPlan*>(argument);
    // The group and the terminal first: the terminal's fd may be a target of the dup2s.
    if (reset_signals() && join_process_group(plan) && take_terminal(plan) &&
        place_inherited_fds(plan) && close_others_at_exec(plan) &&
        (plan.working_directory == nullptr || ::chdir(plan.working_directory) == 0) &&
        tie_to_parent(plan) && unblock_signals()) {
        ::execve(plan.program, plan.argv, plan.envp);
    }
    plan.error = errno;
    ::_exit(127);
}

// Blocks every signal for its lifetime, so no handler of ours runs in the child.
class SignalsBlocked {
  public:
    SignalsBlocked() {
        sigset_t all;
        ::sigfillset(&all);
        ::pthread_sigmask(SIG_SETMASK, &all, &saved_);
    }
    ~SignalsBlocked() { ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
    SignalsBlocked(const SignalsBlocked&) = delete;
    SignalsBlocked& operator=(const SignalsBlocked&) = delete;

  private:
    sigset_t saved_;
};

// The child's stack while it shares our memory; freed once it has exec'd.
class ChildStack {
  public:
    static constexpr std::size_t kSize = 64 * 1024;
    ChildStack()
        : base_(::mmap(nullptr, kSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0)) {
        if (base_ == MAP_FAILED) throw_os_error("mmap child stack");
    }
    ~ChildStack() {
        // Under AddressSanitizer the child's frames left poisoned shadow here; a later
        // mapping at the same address would inherit it. (A no-op otherwise.)
        ASAN_UNPOISON_MEMORY_REGION(base_, kSize);
        ::munmap(base_, kSize);
    }
    ChildStack(const ChildStack&) = delete;
    ChildStack& operator=(const ChildStack&) = delete;
    void* top() const { return static_cast<char*>(base_) + kSize; }

  private:
    void* base_;
};

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (const auto& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
    return pointers;
}

}  // namespace

Child spawn(const SpawnOptions& options) {
    const std::string program = options.program.string();
    std::vector<char*> argv{
        const_cast<char*>(options.argv0.empty() ? program.c_str() : options.argv0.c_str())};
    for (const auto& arg : options.args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);

    // extra_env replaces an entry of the same name: getenv() would find the first of two.
    auto replaced = [&](std::string_view entry) {
        const auto name = entry.substr(0, entry.find('=') + 1);
        return std::any_of(options.extra_env.begin(), options.extra_env.end(),
                           [&](const std::string& extra) { return extra.starts_with(name); });
    };
    std::vector<char*> envp;
    if (options.environment) {
        for (const auto& entry : *options.environment) {
            if (!replaced(entry)) envp.push_back(const_cast<char*>(entry.c_str()));
        }
    } else {
        for (char** entry = environ; *entry != nullptr; ++entry) {
            if (!replaced(*entry)) envp.push_back(*entry);
        }
    }
    const auto extra = c_strings(options.extra_env);
    envp.insert(envp.end(), extra.begin(), extra.end());
    envp.push_back(nullptr);

    // The child dup2()s in order: a source that an earlier entry overwrites (a stdio fd
    // handed to another slot, like stderr_fd = 1, or another entry's target) gets a copy
    // first, above every target (a copy at a target's number would be overwritten too).
    auto inherit = options.inherit;
    int above_targets = STDERR_FILENO + 1;
    for (const auto& entry : inherit) above_targets = std::max(above_targets, entry.first + 1);
    std::vector<UniqueFd> copies;
    for (auto& [child_fd, parent_fd] : inherit) {
        const int target = child_fd;
        const int source = parent_fd;
        if (source < 0) continue;  // closed in the child
        const bool overwritten =
            (source <= STDERR_FILENO && source != target) ||
            std::any_of(inherit.begin(), inherit.end(), [&](const auto& other) {
                return other.first == source && other.first != target;
            });
        if (!overwritten) continue;
        copies.emplace_back(
            check_os(::fcntl(source, F_DUPFD_CLOEXEC, above_targets), "fcntl F_DUPFD_CLOEXEC"));
        parent_fd = copies.back().get();
    }
    std::vector<int> kept;
    for (const auto& [child_fd, parent_fd] : inherit) {
        if (child_fd > STDERR_FILENO && parent_fd >= 0) kept.push_back(child_fd);
    }
    std::sort(kept.begin(), kept.end());

    const std::string working_directory = options.working_directory.string();
    LaunchPlan plan{program.c_str(),
                    argv.data(),
                    envp.data(),
                    inherit.data(),
                    inherit.size(),
                    kept.data(),
                    kept.size(),
                    options.process_group,
                    options.foreground_terminal,
                    working_directory.empty() ? nullptr : working_directory.c_str(),
                    options.die_with_parent,
                    ::getpid(),
                    options.group_record};

    ChildStack stack;
    int pidfd = -1;
    pid_t pid = -1;
    {
        const SignalsBlocked blocked;
        const int saved_errno = errno;  // the child shares our memory, errno included
        // Returns once the child has exec'd or exited (CLONE_VFORK). CLONE_PIDFD: the pidfd
        // is created with the child, before its pid could ever be reused.
        pid = ::clone(child_main, stack.top(), CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD,
                      &plan, &pidfd);
        if (pid != -1) errno = saved_errno;
    }
    if (pid == -1) throw_os_error("failed to start " + program);
    UniqueFd pidfd_owner(pidfd);  // CLONE_PIDFD sets O_CLOEXEC
    if (plan.error != 0) {
        int status = 0;
        while (::waitpid(pid, &status, 0) == -1 && errno == EINTR) {
        }
        throw ExecError("failed to execute " + program, plan.error);
    }
    return Child(pid, std::move(pidfd_owner), options.process_group == 0);
}

Child spawn_function(const std::function<int()>& body) {
    std::fflush(nullptr);  // or buffered output would be written twice
    LaunchPlan plan{};
    plan.process_group = 0;
    plan.foreground_terminal = -1;
    plan.die_with_parent = true;
    plan.parent = ::getpid();
    pid_t pid = -1;
    {
        const SignalsBlocked blocked;
        pid = ::fork();
        if (pid == 0) {
            if (!reset_signals() || !join_process_group(plan) || !tie_to_parent(plan) ||
                !unblock_signals()) {
                ::_exit(127);
            }
            ::_exit(body());
        }
    }
    if (pid == -1) throw_os_error("fork");
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd.valid()) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        throw_os_error("pidfd_open");
    }
    return Child(pid, std::move(pidfd), true);
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      leads_group_(other.leads_group_) {}

Child& Child::operator=(Child&& other) noexcept {
    if (this != &other) {
        destroy();
        pid_ = std::exchange(other.pid_, -1);
        pidfd_ = std::move(other.pidfd_);
        leads_group_ = other.leads_group_;
    }
    return *this;
}

Child::~Child() {
    destroy();
}

void Child::destroy() noexcept {
    if (pid_ <= 0) return;
    kill(SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) == -1 && errno == EINTR) {
    }
    pid_ = -1;
}

std::optional<ExitStatus> Child::try_wait() {
    if (pid_ <= 0) throw std::logic_error("Child::try_wait on a reaped child");
    int status = 0;
    const pid_t result = ::waitpid(pid_, &status, WNOHANG);
    if (result == 0) return std::nullopt;
    if (result == -1) {
        if (errno == EINTR) return std::nullopt;
        if (errno != ECHILD) throw_os_error("waitpid " + std::to_string(pid_));
        // Reaped by someone else (SIGCHLD ignored, a waitpid(-1) elsewhere): gone, status unknown.
        pid_ = -1;
        return ExitStatus{-1, 0};
    }
    pid_ = -1;
    return exit_status_from_wait(status);
}

ExitStatus Child::wait() {
    if (pid_ <= 0) throw std::logic_error("Child::wait on a reaped child");
    int status = 0;
    while (::waitpid(pid_, &status, 0) == -1) {
        if (errno == ECHILD) {  // reaped by someone else: gone, status unknown
            pid_ = -1;
            return ExitStatus{-1, 0};
        }
        if (errno != EINTR) throw_os_error("waitpid " + std::to_string(pid_));
    }
    pid_ = -1;
    return exit_status_from_wait(status);
}

void Child::kill(int signal) const {
    if (pid_ <= 0) return;
    // The group may be gone while the leader is a zombie: then signal the pid (harmless).
    if (!leads_group_ || ::kill(-pid_, signal) != 0) ::kill(pid_, signal);
}

}  // namespace forkline
