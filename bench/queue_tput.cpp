// queue_tput [--redis URL] NJOBS NPROCS [JOBS_PER_WORKER]: round-trip throughput of trivial
// jobs through the shared-memory queues (submit -> echo_worker -> result), the forkline side
// of py_queue_tput.py; with --redis, through a Redis queue (scripts/bench/redis); with
// JOBS_PER_WORKER, workers are recycled after that many jobs (max_jobs_per_worker).
#include <algorithm>
#include <cstdio>
#include <forkline/forkline.hpp>
#include <forkline/redis.hpp>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc == 2 && (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help")) {
        std::puts(
            "usage: queue_tput [--redis URL] NJOBS NPROCS [JOBS_PER_WORKER | PREFETCH]\nprints "
            "jobs/s for NJOBS trivial jobs through NPROCS echo_worker processes (with --redis: "
            "through the Redis server at URL, queue 'queue_tput', with RedisPool's default "
            "options, or jobs held PREFETCH at a time and 8-byte size limits; with "
            "JOBS_PER_WORKER: each worker replaced by a fresh one after that many jobs)");
        return 0;
    }
    std::string redis_url;
    if (argc >= 5 && std::string(argv[1]) == "--redis") {
        redis_url = argv[2];
        argv += 2;
        argc -= 2;
    }
    try {
        if (argc != 3 && argc != 4)
            throw std::invalid_argument(
                "expected [--redis URL] NJOBS NPROCS [JOBS_PER_WORKER | PREFETCH]");
        const auto jobs = std::stoull(argv[1]);
        const auto procs = static_cast<unsigned>(std::stoul(argv[2]));
        const auto jobs_per_worker = argc == 4 ? static_cast<unsigned>(std::stoul(argv[3])) : 0u;
        if (jobs == 0 || procs == 0)
            throw std::invalid_argument("NJOBS and NPROCS must be positive");
        // Every result is checked: each job exactly once, with the right answer (the fault
        // soak, scripts/fault/soak, kills workers while this runs).
        std::vector<std::uint8_t> seen(jobs, 0);
        std::uint64_t duplicates = 0;
        std::uint64_t wrong = 0;
        std::uint64_t not_ok = 0;
        const auto on_result = [&](const forkline::JobResult& r) {
            if (r.status != forkline::JobStatus::ok) {
                ++not_ok;
                return;
            }
            duplicates += seen[r.id]++ != 0 ? 1 : 0;
            wrong += r.as<std::uint64_t>() != ((r.id + 1) & 1) ? 1 : 0;
        };
        const auto run = [&](auto&& pool) {
            for (std::uint64_t n = 1; n <= jobs; ++n) pool.submit(n);
            return pool.wait();
        };
        const auto summary =
            redis_url.empty()
                ? run(forkline::Pool({.worker_program = forkline::find_worker("echo_worker"),
                                      .workers = procs,
                                      .queue_slots = 65536,
                                      .max_job_size = 8,
                                      .max_result_size = 8,
                                      .max_attempts = 1000,  // deaths are the point of a soak
                                      .max_jobs_per_worker = jobs_per_worker},
                                     on_result))
            : jobs_per_worker == 0  // PREFETCH: the defaults
                ? run(forkline::RedisPool({.url = redis_url,
                                           .queue = "queue_tput",
                                           .workers = procs,
                                           .worker_program = forkline::find_worker("echo_worker")},
                                          on_result))
                : run(forkline::RedisPool({.url = redis_url,
                                           .queue = "queue_tput",
                                           .workers = procs,
                                           .worker_program = forkline::find_worker("echo_worker"),
                                           .prefetch = jobs_per_worker,
                                           .max_job_size = 8,
                                           .max_result_size = 8},
                                          on_result));
        const double seconds = std::chrono::duration<double>(summary.wall).count();
        const auto lost = static_cast<std::uint64_t>(std::count(seen.begin(), seen.end(), 0));
        std::printf(
            "%.0f jobs/s (%llu jobs, %u procs, %.3fs; results %llu, duplicates %llu, lost %llu, "
            "wrong %llu, worker deaths %llu, recycled %llu)\n",
            static_cast<double>(jobs) / seconds, static_cast<unsigned long long>(jobs), procs,
            seconds, static_cast<unsigned long long>(summary.succeeded),
            static_cast<unsigned long long>(duplicates), static_cast<unsigned long long>(lost),
            static_cast<unsigned long long>(wrong),
            static_cast<unsigned long long>(summary.worker_deaths),
            static_cast<unsigned long long>(summary.workers_recycled));
        return duplicates == 0 && lost == 0 && wrong == 0 && not_ok == 0 ? 0 : 1;
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr,
                     "queue_tput: error: %s (usage: queue_tput NJOBS NPROCS [JOBS_PER_WORKER])\n",
                     e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "queue_tput: error: %s\n", e.what());
        return 1;
    }
}
