// procs --redis: the same checks as run_processes, through a forkline::RedisPool.
#include <signal.h>

#include <cstdio>
#include <forkline/redis.hpp>
#include <stdexcept>

#include "keys.hpp"
#include "prime_job.hpp"
#include "runners.hpp"

namespace primes {

namespace {

using Clock = std::chrono::steady_clock;

// SIGINT, SIGTERM and SIGHUP, blocked while the run lasts (in every thread the pool starts)
// and taken between two polls, so that the run's keys are deleted before the process dies
// of the signal, as it would have without them.
class StopSignals {
  public:
    StopSignals() {
        ::sigemptyset(&set_);
        for (const int signal : {SIGINT, SIGTERM, SIGHUP}) ::sigaddset(&set_, signal);
        ::pthread_sigmask(SIG_BLOCK, &set_, &old_mask_);
    }
    ~StopSignals() { ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr); }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // The signal that came, if one did (0 if not); it is taken.
    int take() const {
        const timespec now{0, 0};
        const int signal = ::sigtimedwait(&set_, nullptr, &now);
        return signal > 0 ? signal : 0;
    }

    [[noreturn]] void die_of(int signal) const {
        ::signal(signal, SIG_DFL);
        ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
        ::raise(signal);
        ::_exit(128 + signal);  // not reached unless the old mask blocked it
    }

  private:
    sigset_t set_{};
    sigset_t old_mask_{};
};

}  // namespace

void check_redis_run(const RedisRun& where) {
    forkline::check_redis_url(where.url);
    forkline::redis::checked_queue_name(where.queue);
}

std::chrono::duration<double> run_redis(const std::vector<std::uint64_t>& numbers,
                                        const RedisRun& where, const CheckCallback& on_check) {
    const auto started = Clock::now();
    forkline::RedisPoolOptions options{
        .url = where.url,
        .queue = where.queue,
        .workers = where.local_workers,
        .max_job_size = sizeof(std::uint64_t),
        .max_result_size = sizeof(PrimeAnswer),
        .give_up = where.give_up,
        // A run with no worker says so after this long, once (remote workers may be starting).
        .on_warning =
            [&](const std::string&) {
                std::fprintf(stderr,
                             "procs: waiting for workers: none has joined queue '%s' at %s "
                             "(start one with: forkline worker --redis URL --queue %s "
                             "prime_worker)\n",
                             where.queue.c_str(),
                             forkline::redis_url_without_password(where.url).c_str(),
                             where.queue.c_str());
            },
        .no_workers_warning = std::chrono::seconds(3),
    };
    if (where.local_workers > 0) options.worker_program = forkline::find_worker("prime_worker");
    std::uint64_t lost = 0;
    const StopSignals stop;  // before the pool: its threads inherit the mask
    int signal = 0;
    {
        forkline::RedisPool pool(options, [&](const forkline::JobResult& result) {
            if (result.status != forkline::JobStatus::ok) {
                ++lost;
                return;
            }
            on_check({numbers[result.id], result.as<PrimeAnswer>().prime != 0, result.elapsed});
        });
        for (const auto n : numbers) pool.submit(n);
        while (pool.in_flight() > 0 && (signal = stop.take()) == 0)
            pool.poll(std::chrono::milliseconds(200));
        if (signal == 0) pool.wait();
    }  // the pool's destructor deletes the run's keys
    if (signal != 0) stop.die_of(signal);
    if (lost != 0)
        throw std::runtime_error(std::to_string(lost) + " checks could not be completed");
    return Clock::now() - started;
}

}  // namespace primes
