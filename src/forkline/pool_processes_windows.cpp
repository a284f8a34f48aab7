// The OS half of a Pool's workers on Windows.
//
// Each worker is started by the launcher (spawn_windows.cpp) inheriting exactly two
// handles besides its standard ones: the segment's section and the supervisor's wake event
// (PROC_THREAD_ATTRIBUTE_HANDLE_LIST). Their values reach it in FORKLINE_SEGMENT_FD and
// FORKLINE_WAKE_FD (decimal HANDLE values: inherited handles keep their values), its index
// in FORKLINE_WORKER_INDEX, as on POSIX; serve() takes them from there.
//
// Each worker runs in a Job Object of its own with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE (the
// launcher's): killing a worker (a timeout, a cancel) terminates its job, so whatever its
// job started dies with it; a worker that died by itself takes the rest of its job with
// it when its Child is destroyed (the job's last handle closes); and a supervisor killed
// at any instant (TerminateProcess) closes every job handle, so no worker outlives it. One
// job per worker rather than one for the pool: TerminateJobObject on a shared job would
// kill every worker to stop one job. This is what guard_jobs and adopt_orphans do on
// Linux, so those options are refused here rather than silently ignored.
//
// A terminated job's processes exit with the launcher's kKilledExitCode, which
// exit_status_windows.cpp reports as killed by signal 9: a worker killed mid-job is
// requeued or reported worker_died/timed_out exactly as on Linux.
#include <windows.h>

#include <csignal>

#include "pool_impl.hpp"

namespace forkline {

namespace {

std::string handle_value(NativeHandle handle) {
    return std::to_string(reinterpret_cast<std::uintptr_t>(handle));
}

}  // namespace

void check_platform_options(const PoolOptions& options) {
    if (options.worker_function) {
        throw Error(
            "pool: worker_function needs fork(), which Windows lacks: give a "
            "worker_program");
    }
    if (options.guard_jobs || options.adopt_orphans) {
        throw Error(std::string("pool: ") + (options.guard_jobs ? "guard_jobs" : "adopt_orphans") +
                    " is Linux-only: on Windows every worker's job runs in a Job Object that "
                    "dies with the worker and with the pool");
    }
}

void Pool::Impl::start_process_guards() {}

void Pool::Impl::stop_process_guards() {}

void Pool::Impl::launch_worker(std::uint32_t index) {
    auto& worker = workers[index];
    worker.child = spawn({.program = options.worker_program,
                          .args = options.worker_args,
                          .extra_env = {"FORKLINE_SEGMENT_FD=" + handle_value(segment.handle()),
                                        "FORKLINE_WAKE_FD=" + handle_value(events.wake_fd()),
                                        "FORKLINE_WORKER_INDEX=" + std::to_string(index)},
                          .inherit_handles = {segment.handle(), events.wake_fd()}});
    events.watch_exit(worker.child->handle());
}

void Pool::Impl::end_jobs_of_dead_worker(std::uint32_t) {
    // Nothing left to do: the worker's Child was destroyed, closing its job (see above).
}

bool Pool::Impl::reap_exited_workers() {
    bool reaped = false;
    for (std::uint32_t i = 0; i < workers.size(); ++i) {
        if (!workers[i].child) continue;
        // Unwatched before try_wait() reaps it (and closes the handle): after, handle() is
        // null, the watcher would keep the closed value, and the next worker's handle, often
        // the same value, would never be waited on (a respawn hang, measured under wine).
        const NativeHandle process = workers[i].child->handle();
        if (::WaitForSingleObject(process, 0) != WAIT_OBJECT_0) continue;
        events.unwatch_exit(process);
        if (const auto status = workers[i].child->try_wait()) {
            workers[i].child.reset();
            worker_exited(i, *status);
            reaped = true;
        }
    }
    return reaped;
}

void Pool::Impl::kill_worker(std::uint32_t index) {
    workers[index].child->kill();
}

// No signals on Windows: SIGKILL terminates each worker's job; SIGINT, SIGTERM and
// SIGBREAK send CTRL_BREAK_EVENT to its process group (a console program's "stop");
// anything else has no counterpart and is an Error.
void Pool::signal_workers(int signal) const {
    const bool kill = signal == kKilledSignal;
    if (!kill && signal != SIGINT && signal != SIGTERM && signal != SIGBREAK)
        throw Error("pool: signal " + std::to_string(signal) + " has no Windows counterpart");
    for (const auto& worker : impl_->workers) {
        if (!worker.child) continue;
        if (kill) {
            worker.child->kill();
        } else {
            worker.child->interrupt();
        }
    }
}

}  // namespace forkline
