// The pool with real worker processes (test_worker), on every platform: the Windows build
// runs this under wine (keep counts modest: wine starts 40-80 processes a second). Workers
// are killed from outside (SIGKILL; Windows: TerminateProcess), by their job's timeout, and
// with their supervisor; every job is reported exactly once whatever happens.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <forkline/pool.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "job_tally.hpp"
#include "process_control.hpp"
#include "spawn.hpp"

using test_support::test_worker_pool;

namespace {

// Every job's results, by id: each must come once, an ok one with value * 2.
struct Tally : test_support::ResultCount {
    using ResultCount::ResultCount;
    void operator()(const forkline::JobResult& r) {
        count(r);
        if (r.status == forkline::JobStatus::ok && r.id < values.size())
            CHECK(r.as<std::uint64_t>() == values[r.id] * 2);
    }
    std::vector<std::uint64_t> values;  // job id -> the value it doubled
};

}  // namespace

TEST_CASE("jobs through 3 worker processes: every result exactly once, right") {
    constexpr std::size_t kJobs = 3000;
    Tally tally(kJobs);
    forkline::Pool pool(test_worker_pool(3), std::ref(tally));
    for (std::uint64_t i = 0; i < kJobs; ++i) {
        tally.values.push_back(i + 7);
        pool.submit(TestJob{i + 7});
    }
    const auto summary = pool.wait();
    CHECK(tally.each_exactly_once());
    CHECK(summary.succeeded == kJobs);
    CHECK(summary.worker_deaths == 0);
}

TEST_CASE("a worker's own handles (segment, wake) do not reach what its jobs start") {
    std::vector<std::uint64_t> counts;
    forkline::Pool pool(test_worker_pool(2), [&](const forkline::JobResult& r) {
        counts.push_back(r.as<std::uint64_t>());
    });
    for (int i = 0; i < 4; ++i) pool.submit(TestJob{0, 0, TestJob::count_fds});
    pool.wait();
    CHECK(counts == std::vector<std::uint64_t>(4, 0));
}

TEST_CASE(
    "a handler that throws fails its job alone; a job that kills its worker is "
    "worker_died after 3 attempts") {
    Tally tally(12);
    forkline::Pool pool(test_worker_pool(2), std::ref(tally));
    for (std::uint64_t i = 0; i < 10; ++i) {
        tally.values.push_back(i);
        pool.submit(TestJob{i});
    }
    pool.submit(TestJob{0, 0, TestJob::throw_error});
    pool.submit(TestJob{0, 0, TestJob::crash});
    const auto summary = pool.wait();
    CHECK(tally.each_exactly_once());
    CHECK(tally.status[10] == forkline::JobStatus::failed);
    CHECK(tally.status[11] == forkline::JobStatus::worker_died);
    CHECK(summary.succeeded == 10);
    CHECK(summary.worker_deaths == 3);
}

TEST_CASE("a worker killed from outside mid-job: its job runs again, every job once") {
    constexpr std::size_t kJobs = 8;
    Tally tally(kJobs + 1);
    std::uint64_t victim = 0;
    forkline::Pool pool(test_worker_pool(2), [&](const forkline::JobResult& r) {
        if (r.id == 0) victim = r.as<std::uint64_t>();
        tally(r);
    });
    pool.submit(TestJob{0, 0, TestJob::report_pid});
    while (victim == 0) pool.poll(std::chrono::seconds(10));
    tally.values.push_back(0);
    // Long enough that both workers are busy when the kill comes (both are, with 8 jobs
    // for 2): whichever job the victim runs is cut short.
    for (std::uint64_t i = 1; i <= kJobs; ++i) {
        tally.values.push_back(i);
        pool.submit(TestJob{i, 300'000});
    }
    pool.poll(std::chrono::milliseconds(100));
    test_support::kill_process(victim);
    const auto summary = pool.wait();
    CHECK(tally.each_exactly_once());
    CHECK(summary.succeeded == kJobs + 1);
    CHECK(summary.worker_deaths == 1);
    CHECK(test_support::process_ends(victim));
}

TEST_CASE("job_timeout: a job running too long is killed and reported timed_out") {
    Tally tally(6);
    forkline::Pool pool({.worker_program = TEST_WORKER_PATH,
                         .workers = 2,
                         .max_job_size = sizeof(TestJob),
                         .job_timeout = std::chrono::milliseconds(300)},
                        std::ref(tally));
    tally.values = {1, 2, 3, 4, 5, 6};
    pool.submit(TestJob{1, 30'000'000});  // 30 s
    for (std::uint64_t i = 2; i <= 6; ++i) pool.submit(TestJob{i});
    const auto summary = pool.wait();
    CHECK(tally.each_exactly_once());
    CHECK(tally.status[0] == forkline::JobStatus::timed_out);
    CHECK(summary.timed_out == 1);
    CHECK(summary.succeeded == 5);
}

TEST_CASE("a supervisor killed at once takes its workers with it") {
    constexpr unsigned kWorkers = 3;
    const auto ready = std::filesystem::temp_directory_path() /
                       ("forkline-test-ready-" + std::to_string(std::random_device{}()));
    auto supervisor =
        forkline::spawn({.program = POOL_SUPERVISOR_PATH,
                         .args = {TEST_WORKER_PATH, std::to_string(kWorkers), ready.string()}});
    // Once its pool is made (bounded: 20 s): killed earlier, a start in progress is the
    // launcher's concern, not the pool's.
    for (int i = 0; i < 2000 && !std::filesystem::exists(ready); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const auto workers = test_support::child_processes(supervisor.pid());
    std::filesystem::remove(ready);
    REQUIRE(workers.size() == kWorkers);
    test_support::kill_process(supervisor.pid());
    supervisor.wait();
    for (const auto worker : workers) CHECK(test_support::process_ends(worker));
}
