#include "leftover_processes.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <algorithm>
#include <thread>

#include "process_table.hpp"

namespace forkline {

namespace {

using Clock = std::chrono::steady_clock;

// SIGKILLed processes die within milliseconds; this only bounds a pathological case
// (a member stuck in uninterruptible sleep).
constexpr std::chrono::seconds kReapLimit{5};
constexpr std::chrono::milliseconds kFirstNap{1};
constexpr std::chrono::milliseconds kLongestNap{20};

bool is_child_subreaper() {
    int value = 0;
    return ::prctl(PR_GET_CHILD_SUBREAPER, &value) == 0 && value != 0;
}

// Reaps the members of `group` that are our children and have exited.
void reap_exited_members(pid_t group) {
    for (;;) {
        siginfo_t info{};
        if (::waitid(P_PGID, static_cast<id_t>(group), &info, WEXITED | WNOHANG) != 0 ||
            info.si_pid == 0)
            return;
    }
}

bool has_running_member(pid_t group) {
    const auto processes = list_processes();
    return std::any_of(processes.begin(), processes.end(),
                       [&](const ProcessEntry& p) { return p.group == group && p.state != 'Z'; });
}

// Nothing left to wait for: no member at all, or (when orphans do not come to us) only
// zombies that their own parents or init will reap.
bool settled(pid_t group, bool orphans_come_to_us) {
    reap_exited_members(group);
    if (::kill(-group, 0) != 0) return true;
    return !orphans_come_to_us && !has_running_member(group);
}

bool wait_until_settled(pid_t group, bool orphans_come_to_us, Clock::time_point until) {
    auto nap = std::chrono::duration_cast<Clock::duration>(kFirstNap);
    while (!settled(group, orphans_come_to_us)) {
        const auto now = Clock::now();
        if (now >= until) return false;
        std::this_thread::sleep_for(std::min(nap, until - now));
        nap = std::min<Clock::duration>(nap * 2, kLongestNap);
    }
    return true;
}

}  // namespace

void end_process_group(pid_t group, std::chrono::nanoseconds grace) {
    if (group <= 0) return;
    const bool orphans_come_to_us = is_child_subreaper();
    if (settled(group, orphans_come_to_us)) return;
    if (grace.count() > 0) {
        ::kill(-group, SIGTERM);
        ::kill(-group, SIGCONT);  // a stopped member would never see the SIGTERM
        if (wait_until_settled(group, orphans_come_to_us, Clock::now() + grace)) return;
    }
    ::kill(-group, SIGKILL);
    wait_until_settled(group, orphans_come_to_us, Clock::now() + kReapLimit);
}

}  // namespace forkline
