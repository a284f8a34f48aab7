// procs --redis: the same checks as run_processes, through a forkline::RedisPool.
#include <forkline/redis.hpp>
#include <stdexcept>

#include "prime_job.hpp"
#include "runners.hpp"

namespace primes {

std::chrono::duration<double> run_redis(const std::vector<std::uint64_t>& numbers,
                                        const RedisRun& where, const CheckCallback& on_check) {
    const auto started = std::chrono::steady_clock::now();
    forkline::RedisPoolOptions options{
        .url = where.url,
        .queue = where.queue,
        .local_workers = where.local_workers,
        .max_job_size = sizeof(std::uint64_t),
        .max_result_size = sizeof(PrimeAnswer),
        .give_up = where.give_up,
    };
    if (where.local_workers > 0) options.worker_program = forkline::find_worker("prime_worker");
    std::uint64_t lost = 0;
    forkline::RedisPool pool(options, [&](const forkline::JobResult& result) {
        if (result.status != forkline::JobStatus::ok) {
            ++lost;
            return;
        }
        on_check({numbers[result.id], result.as<PrimeAnswer>().prime != 0, result.elapsed});
    });
    for (const auto n : numbers) pool.submit(n);
    pool.wait();
    if (lost != 0)
        throw std::runtime_error(std::to_string(lost) + " checks could not be completed");
    return std::chrono::steady_clock::now() - started;
}

}  // namespace primes
