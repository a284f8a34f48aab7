#include "foreground_terminal.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "pending_signal.hpp"

namespace forkline {

namespace {

bool stopped_by_terminal(int signal) {
    return signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU;
}

// Stops this process until its shell continues it (fg, bg); false if the stop did not
// happen: in an orphaned group (no job-control shell above us) the kernel discards it.
bool stop_self() {
    const sigset_t cont = signal_set(SIGCONT);
    sigset_t saved;
    ::pthread_sigmask(SIG_BLOCK, &cont, &saved);
    ::raise(SIGTSTP);  // the default action stops us before raise() returns
    // A SIGCONT continues a stopped process even while blocked, and then stays pending.
    const timespec now{0, 0};
    const bool stopped = ::sigtimedwait(&cont, nullptr, &now) == SIGCONT;
    ::pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    return stopped;
}

}  // namespace

ForegroundTerminal::ForegroundTerminal(bool wanted) {
    if (!wanted || ::isatty(STDIN_FILENO) == 0) return;
    // A copy of our own (close-on-exec, above 2): it names the terminal for the stages'
    // tcsetpgrp and for giving it back, whatever happens to fd 0 meanwhile.
    terminal_ = UniqueFd(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, STDERR_FILENO + 1));
    may_give_ = terminal_.valid() && in_foreground();
}

ForegroundTerminal::~ForegroundTerminal() {
    if (given_to_ != 0) set_foreground(::getpgrp());
}

bool ForegroundTerminal::in_foreground() const {
    return ::tcgetpgrp(terminal_.get()) == ::getpgrp();
}

// tcsetpgrp from a background group raises SIGTTOU, which would stop us, unless SIGTTOU is
// blocked or ignored: then the kernel allows it. Best effort: a hung-up terminal has none.
void ForegroundTerminal::set_foreground(pid_t group) const {
    const sigset_t ttou = signal_set(SIGTTOU);
    sigset_t saved;
    ::pthread_sigmask(SIG_BLOCK, &ttou, &saved);
    ::tcsetpgrp(terminal_.get(), group);
    ::pthread_sigmask(SIG_SETMASK, &saved, nullptr);
}

void ForegroundTerminal::give_to(pid_t group) {
    if (!may_give_ || group <= 0) return;
    set_foreground(group);
    given_to_ = group;
}

void ForegroundTerminal::follow_stops(const std::vector<pid_t>& stages, pid_t group) {
    int stop_signal = 0;
    for (const pid_t stage : stages) {
        siginfo_t info{};
        // WSTOPPED without WEXITED: a stage that exited stays for the pidfd loop to reap.
        if (::waitid(P_PID, static_cast<id_t>(stage), &info, WSTOPPED | WNOHANG) == 0 &&
            info.si_pid == stage && stopped_by_terminal(info.si_status))
            stop_signal = info.si_status;
    }
    if (stop_signal == 0 || group <= 0) return;
    if (given_to_ != 0) {
        set_foreground(::getpgrp());
        given_to_ = 0;
    }
    const bool was_stopped = stop_self();
    may_give_ = in_foreground();  // fg: the pipeline gets the terminal again; bg: it does not
    // Read or write the terminal from the background, with no shell to continue us: it
    // would stop again at once, in a loop. Left stopped, as it was before (a signal to us or
    // the deadline still ends it).
    if (!may_give_ && !was_stopped && stop_signal != SIGTSTP) return;
    give_to(group);
    ::kill(-group, SIGCONT);
}

}  // namespace forkline
