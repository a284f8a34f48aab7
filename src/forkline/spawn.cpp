#include "spawn.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/optional.hpp>  // Boost 1.81 Process v2 with std::filesystem forgets these two
#include <boost/process/v2/default_launcher.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/type_traits.hpp>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "os_error.hpp"

extern char** environ;

namespace forkline {

namespace bp = boost::process::v2;

namespace {

// Runs in the child between fork and exec: async-signal-safe calls only. A failure leaves
// errno set, which the launcher reports to the parent through its error pipe.
struct ChildSetup {
    pid_t parent;
    const SpawnOptions& options;
    const std::vector<int>& kept;  // sorted fds > 2 the child keeps

    // In the parent, before fork: the launcher closes every fd not whitelisted.
    template <typename Launcher>
    bp::error_code on_setup(Launcher& launcher, const bp::filesystem::path&,
                            const char* const*) const {
        for (const auto& [child_fd, parent_fd] : options.inherit) {
            if (child_fd > STDERR_FILENO) launcher.fd_whitelist.push_back(child_fd);
        }
        return {};
    }

    template <typename Launcher>
    bp::error_code on_exec_setup(Launcher&, const bp::filesystem::path&,
                                 const char* const* argv) const {
        // The launcher puts the program path in argv[0]; this is the child's own copy.
        if (!options.argv0.empty()) const_cast<const char**>(argv)[0] = options.argv0.c_str();
        if (!reset_signals() || !place_inherited_fds() || !close_others_at_exec() ||
            !join_process_group() ||
            (!options.working_directory.empty() &&
             ::chdir(options.working_directory.c_str()) != 0) ||
            (options.die_with_parent && !tie_to_parent())) {
            return bp::error_code(errno, boost::system::system_category());
        }
        return {};
    }

    // dup2 clears O_CLOEXEC on the copy; an fd already in place needs it cleared by hand.
    bool place_inherited_fds() const {
        for (const auto& [child_fd, parent_fd] : options.inherit) {
            const int result =
                child_fd == parent_fd ? ::fcntl(child_fd, F_SETFD, 0) : ::dup2(parent_fd, child_fd);
            if (result == -1) return false;
        }
        return true;
    }

    // Boost 1.81's close_all() leaves open every fd between the lowest and highest
    // whitelisted one (it compares each entry with itself), so an fd the parent inherited
    // without O_CLOEXEC would leak. Mark every fd > 2 but `kept` close-on-exec instead of
    // closing it: the launcher's error pipe must stay open until exec.
    bool close_others_at_exec() const {
        unsigned from = STDERR_FILENO + 1;
        for (const int fd : kept) {
            if (static_cast<unsigned>(fd) > from &&
                !mark_cloexec(from, static_cast<unsigned>(fd) - 1))
                return false;
            from = static_cast<unsigned>(fd) + 1;
        }
        return mark_cloexec(from, ~0U);
    }

    static bool mark_cloexec(unsigned first, unsigned last) {
        if (::syscall(SYS_close_range, first, last, CLOSE_RANGE_CLOEXEC) == 0) return true;
        if (errno != EINVAL && errno != ENOSYS) return false;
        // Kernels before 5.11: one by one (EBADF for the many that are not open).
        const unsigned limit = std::min(last, static_cast<unsigned>(::sysconf(_SC_OPEN_MAX)));
        for (unsigned fd = first; fd <= limit && fd >= first; ++fd)
            ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
        return true;
    }

    bool join_process_group() const {
        return options.process_group < 0 || ::setpgid(0, options.process_group) == 0;
    }

    static bool reset_signals() {
        struct sigaction default_action {};
        default_action.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; ++sig) {
            if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &default_action, nullptr);
        }
        sigset_t none;
        ::sigemptyset(&none);
        return ::sigprocmask(SIG_SETMASK, &none, nullptr) == 0;
    }

    bool tie_to_parent() const {
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return false;
        if (::getppid() != parent) {  // the parent died before prctl took effect
            errno = ESRCH;
            return false;
        }
        return true;
    }
};

// Blocks every signal for its lifetime, so no handler of ours runs in the forked child.
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

UniqueFd open_pidfd(pid_t pid) {
    return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

}  // namespace

Child spawn(const SpawnOptions& options) {
    static boost::asio::io_context context;  // only needed as the launcher's executor

    std::vector<char*> environment;
    if (options.environment) {
        for (const auto& entry : *options.environment)
            environment.push_back(const_cast<char*>(entry.c_str()));
    } else {
        for (char** entry = environ; *entry != nullptr; ++entry) environment.push_back(*entry);
    }
    for (const auto& entry : options.extra_env)
        environment.push_back(const_cast<char*>(entry.c_str()));
    environment.push_back(nullptr);

    // Descriptors the child keeps beyond 0-2, sorted (read in the child: no allocation there).
    std::vector<int> kept;
    for (const auto& [child_fd, parent_fd] : options.inherit) {
        if (child_fd > STDERR_FILENO) kept.push_back(child_fd);
    }
    std::sort(kept.begin(), kept.end());

    bp::posix::default_launcher launcher;
    launcher.env = environment.data();
    ChildSetup setup{::getpid(), options, kept};

    // The launcher's child calls exit() if exec fails, flushing stdio buffers it copied.
    std::fflush(nullptr);
    bp::error_code error;
    std::optional<bp::process> process;
    {
        SignalsBlocked blocked;
        // The executor overload: in Boost 1.81 the context overload ignores `error` and throws.
        process.emplace(
            launcher(context.get_executor(), error, options.program, options.args, setup));
    }
    if (error) {
        if (launcher.pid > 0) {  // the child exists until reaped, even though exec failed
            int status = 0;
            while (::waitpid(launcher.pid, &status, 0) == -1 && errno == EINTR) {
            }
        }
        throw std::system_error(error.value(), std::system_category(),
                                "failed to execute " + options.program.string());
    }
    const pid_t pid = process->id();
    process->detach();
    auto pidfd = open_pidfd(pid);
    if (!pidfd.valid()) throw_os_error("pidfd_open " + std::to_string(pid));
    return Child(pid, std::move(pidfd), options.process_group == 0);
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
        throw_os_error("waitpid " + std::to_string(pid_));
    }
    pid_ = -1;
    return exit_status_from_wait(status);
}

ExitStatus Child::wait() {
    if (pid_ <= 0) throw std::logic_error("Child::wait on a reaped child");
    int status = 0;
    while (::waitpid(pid_, &status, 0) == -1) {
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
