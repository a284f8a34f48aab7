#include "subreaper.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "process_table.hpp"

namespace forkline {

namespace {

constexpr int kMaxRounds = 64;  // each round reaps one generation of orphans

std::mutex holders_mutex;
int holders = 0;
int state_before = 0;

bool has_children() {
    siginfo_t info{};
    return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 || errno != ECHILD;
}

}  // namespace

ChildSubreaper::ChildSubreaper() {
    const std::lock_guard lock(holders_mutex);
    if (holders++ == 0) {
        ::prctl(PR_GET_CHILD_SUBREAPER, &state_before);
        ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    }
}

ChildSubreaper::~ChildSubreaper() {
    const std::lock_guard lock(holders_mutex);
    if (--holders == 0 && state_before == 0) ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

void kill_and_reap_children(const std::function<bool(pid_t)>& keep) {
    if (!has_children()) return;
    for (int round = 0; round < kMaxRounds; ++round) {
        bool any = false;
        for (const pid_t child : children_of_this_process()) {
            if (keep && keep(child)) continue;
            any = true;
            if (::getpgid(child) == child) ::kill(-child, SIGKILL);
            ::kill(child, SIGKILL);
            while (::waitpid(child, nullptr, 0) == -1 && errno == EINTR) {
            }
        }
        if (!any) return;
    }
}

}  // namespace forkline
