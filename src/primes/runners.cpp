#include "runners.hpp"

#include <atomic>
#include <forkline/pool.hpp>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "prime_job.hpp"

namespace primes {

namespace {

using Clock = std::chrono::steady_clock;

Check check(std::uint64_t n) {
    const auto started = Clock::now();
    const bool prime = is_prime(n);
    return {n, prime, Clock::now() - started};
}

}  // namespace

std::chrono::duration<double> run_sequential(const std::vector<std::uint64_t>& numbers,
                                             const CheckCallback& on_check) {
    const auto started = Clock::now();
    for (const auto n : numbers) on_check(check(n));
    return Clock::now() - started;
}

std::chrono::duration<double> run_threads(const std::vector<std::uint64_t>& numbers,
                                          unsigned workers, const CheckCallback& on_check) {
    const auto started = Clock::now();
    std::atomic<std::size_t> next{0};
    std::mutex report;
    std::vector<std::jthread> threads;
    for (unsigned t = 0; t < workers; ++t) {
        threads.emplace_back([&] {
            for (auto i = next++; i < numbers.size(); i = next++) {
                const auto result = check(numbers[i]);
                const std::lock_guard lock(report);
                on_check(result);
            }
        });
    }
    threads.clear();  // joins
    return Clock::now() - started;
}

std::chrono::duration<double> run_processes(const std::vector<std::uint64_t>& numbers,
                                            unsigned workers, const CheckCallback& on_check) {
    const auto started = Clock::now();
    forkline::PoolOptions options{
        .worker_program = forkline::find_worker("prime_worker"),
        .workers = workers,
        .queue_slots = 1024,
        .max_job_size = sizeof(std::uint64_t),
        .max_result_size = sizeof(PrimeAnswer),
        .claim_batch = 1,  // checks take up to tens of ms: balance, don't batch
        .label = "procs",
    };
    std::uint64_t lost = 0;
    forkline::Pool pool(options, [&](const forkline::JobResult& result) {
        const auto n = numbers[result.id];
        if (result.status != forkline::JobStatus::ok) {
            ++lost;
            return;
        }
        on_check({n, result.as<PrimeAnswer>().prime != 0, result.elapsed});
    });
    pool.set_total_jobs(numbers.size());
    for (const auto n : numbers) pool.submit(n);
    pool.wait();
    if (lost != 0)
        throw std::runtime_error(std::to_string(lost) + " checks could not be completed");
    return Clock::now() - started;
}

}  // namespace primes
