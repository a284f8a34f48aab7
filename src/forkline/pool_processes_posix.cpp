// The OS half of a Pool's workers on POSIX: exec'd (or forked) with the segment as fd 3
// and the supervisor's eventfd as fd 4, reaped through their pidfds, killed by SIGKILL;
// the job groups they leave behind are killed (job_group_record.hpp), with guard_jobs by a
// guardian process too, and with adopt_orphans as this process's orphans.
#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <vector>

#include "leftover_processes.hpp"
#include "pool_impl.hpp"
#include "serve_segment.hpp"

namespace forkline {

namespace {

constexpr int kSegmentFdInWorker = 3;
constexpr int kWakeFdInWorker = 4;

}  // namespace

void check_platform_options(const PoolOptions&) {}

void Pool::Impl::start_process_guards() {
    if (options.adopt_orphans) subreaper.emplace();
    if (options.guard_jobs) guardian.emplace(segment.handle(), segment.view().geometry());
}

void Pool::Impl::stop_process_guards() {
    guardian.reset();
}

void Pool::Impl::launch_worker(std::uint32_t index) {
    auto& worker = workers[index];
    if (options.worker_function) {
        const int fd = segment.handle();
        worker.child = spawn_function([this, fd, index] {
            return serve_segment(options.worker_function, fd, index, events.wake_fd(),
                                 options.worker_init);
        });
    } else {
        worker.child =
            spawn({.program = options.worker_program,
                   .args = options.worker_args,
                   .extra_env = {"FORKLINE_SEGMENT_FD=" + std::to_string(kSegmentFdInWorker),
                                 "FORKLINE_WAKE_FD=" + std::to_string(kWakeFdInWorker),
                                 "FORKLINE_WORKER_INDEX=" + std::to_string(index)},
                   .inherit = {{kSegmentFdInWorker, segment.handle()},
                               {kWakeFdInWorker, events.wake_fd()}}});
    }
    events.watch_exit(worker.child->pidfd());
}

// A worker that died mid-job leaves that job's processes behind (only its direct children
// die with it, by PR_SET_PDEATHSIG): its recorded process group is killed before the job
// runs again, and with adopt_orphans whatever else reached us is killed and reaped.
void Pool::Impl::end_jobs_of_dead_worker(std::uint32_t index) {
    kill_process_group(segment.view().ring(index).job_group.load(std::memory_order_acquire));
    if (subreaper) {
        kill_and_reap_children([this](pid_t pid) {
            const bool worker = std::any_of(workers.begin(), workers.end(), [&](const Worker& w) {
                return w.child && w.child->pid() == pid;
            });
            return worker || (guardian && pid == guardian->pid());
        });
    }
}

bool Pool::Impl::reap_exited_workers() {
    std::vector<pollfd> fds;
    std::vector<std::uint32_t> indexes;
    for (std::uint32_t i = 0; i < workers.size(); ++i) {
        if (workers[i].child) {
            fds.push_back({workers[i].child->pidfd(), POLLIN, 0});
            indexes.push_back(i);
        }
    }
    if (fds.empty() || ::poll(fds.data(), fds.size(), 0) <= 0) return false;
    bool reaped = false;
    for (std::size_t k = 0; k < fds.size(); ++k) {
        if ((fds[k].revents & POLLIN) == 0) continue;
        const auto index = indexes[k];
        if (const auto status = workers[index].child->try_wait()) {
            events.unwatch_exit(workers[index].child->pidfd());
            workers[index].child.reset();
            worker_exited(index, *status);
            reaped = true;
        }
    }
    return reaped;
}

void Pool::Impl::kill_worker(std::uint32_t index) {
    workers[index].child->kill(SIGKILL);
}

void Pool::signal_workers(int signal) const {
    for (const auto& worker : impl_->workers) {
        if (worker.child) ::kill(worker.child->pid(), signal);
    }
}

}  // namespace forkline
