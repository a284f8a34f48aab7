// Per-pool control: worker_init, recycling after N jobs (also with kills around the N-th
// job), submit_future(), and results in submission order (map_ordered, OrderedResults).
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <forkline/forkline.hpp>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include "processes.hpp"
#include "shared_counters.hpp"
#include "test_job.hpp"

namespace {

using test_support::SharedCounters;

template <typename T>
std::size_t put(std::span<std::byte> out, const T& value) {
    std::memcpy(out.data(), &value, sizeof(T));
    return sizeof(T);
}

template <typename T>
T get(std::span<const std::byte> data) {
    REQUIRE(data.size() == sizeof(T));
    T value;
    std::memcpy(&value, data.data(), sizeof(T));
    return value;
}

template <typename T>
T get(const std::vector<std::byte>& data) {
    return get<T>(std::span<const std::byte>(data));
}

// What a recycling test's handler reports: which process ran the job, and how many jobs
// that process had run with it.
struct Ran {
    pid_t pid;
    std::uint32_t jobs_of_process;
};

// A handler that counts runs of job N (a std::uint64_t) in `runs` and reports a Ran.
forkline::JobHandler counting_handler(const SharedCounters& runs) {
    return [&runs](std::span<const std::byte> job, std::span<std::byte> out) {
        static std::uint32_t jobs_of_process = 0;  // this worker process's own count
        ++runs[get<std::uint64_t>(job)];
        return put(out, Ran{::getpid(), ++jobs_of_process});
    };
}

void check_nothing_left() {
    CHECK(test_support::children_of(::getpid()).empty());
    CHECK(test_support::segments_of(::getpid()).empty());
}

}  // namespace

TEST_CASE("worker_init runs in every worker process with its index, before any job") {
    constexpr unsigned kWorkers = 3;
    SharedCounters inits(kWorkers);
    static unsigned my_index = 1000;  // set by worker_init in each forked worker
    std::set<unsigned> indexes;
    {
        forkline::Pool pool(
            {.worker_function = [](std::span<const std::byte>,
                                   std::span<std::byte> out) { return put(out, my_index); },
             .workers = kWorkers,
             .claim_batch = 1,
             .worker_init =
                 [&inits](unsigned index) {
                     my_index = index;
                     ++inits[index];
                 }},
            [&](const forkline::JobResult& r) { indexes.insert(r.as<unsigned>()); });
        for (int i = 0; i < 60; ++i) pool.submit(i);
        pool.wait();
    }
    for (unsigned i = 0; i < kWorkers; ++i) CHECK(inits[i] == 1);
    CHECK(std::all_of(indexes.begin(), indexes.end(), [](unsigned i) { return i < kWorkers; }));
    check_nothing_left();
}

TEST_CASE("a worker_init that throws is an Error from the pool, not a respawn loop") {
    forkline::Pool pool({.worker_function = [](std::span<const std::byte>,
                                               std::span<std::byte>) { return std::size_t{0}; },
                         .workers = 1,
                         .worker_init = [](unsigned) { throw std::runtime_error("no database"); }});
    pool.submit(1);
    CHECK_THROWS_WITH_AS(pool.wait(), doctest::Contains("before attaching"), forkline::Error);
}

TEST_CASE("worker_init with a worker_program is refused") {
    CHECK_THROWS_AS(
        forkline::Pool({.worker_program = TEST_WORKER_PATH, .worker_init = [](unsigned) {}}),
        forkline::Error);
}

TEST_CASE("recycling: workers retire after N jobs; every job runs exactly once, none is lost") {
    constexpr std::uint64_t kJobs = 500;
    for (const unsigned batch : {0u, 1u, 64u}) {  // reserved positions given back or not
        CAPTURE(batch);
        SharedCounters runs(kJobs);
        SharedCounters inits(1);
        std::vector<int> results(kJobs, 0);
        std::set<pid_t> processes;
        forkline::Pool pool({.worker_function = counting_handler(runs),
                             .workers = 2,
                             .claim_batch = batch,
                             .worker_init = [&inits](unsigned) { ++inits[0]; },
                             .max_jobs_per_worker = 7},
                            [&](const forkline::JobResult& r) {
                                ++results.at(r.id);
                                CHECK(r.status == forkline::JobStatus::ok);
                                CHECK(r.attempts == 1);
                                const auto ran = r.as<Ran>();
                                CHECK(ran.jobs_of_process <= 7);
                                processes.insert(ran.pid);
                            });
        for (std::uint64_t i = 0; i < kJobs; ++i) pool.submit(i);
        const auto summary = pool.wait();
        for (std::uint64_t i = 0; i < kJobs; ++i) {
            CHECK(results[i] == 1);
            CHECK(runs[i].load() == 1);
        }
        CHECK(summary.succeeded == kJobs);
        CHECK(summary.worker_deaths == 0);
        // 500 jobs at most 7 per process: at least 72 processes, all but the last two retired.
        CHECK(processes.size() >= (kJobs + 6) / 7);
        CHECK(summary.workers_recycled + 2 >= processes.size());
        // Every process ran worker_init once: the first two, and the respawns (a worker
        // retiring after the last job is not replaced; a respawn may get no job).
        CHECK(inits[0].load() <= summary.workers_recycled + 2);
        CHECK(inits[0].load() >= summary.workers_recycled);
        CHECK(inits[0].load() >= processes.size());
        check_nothing_left();
    }
}

TEST_CASE("recycling works for worker programs too (serve())") {
    constexpr std::uint64_t kJobs = 100;
    std::vector<int> results(kJobs, 0);
    forkline::Pool pool({.worker_program = TEST_WORKER_PATH,
                         .workers = 2,
                         .max_job_size = sizeof(TestJob),
                         .max_result_size = 64,
                         .max_jobs_per_worker = 5},
                        [&](const forkline::JobResult& r) {
                            ++results.at(r.id);
                            CHECK(r.as<std::uint64_t>() == (r.id + 1) * 2);
                            CHECK(r.attempts == 1);
                        });
    for (std::uint64_t i = 0; i < kJobs; ++i) pool.submit(TestJob{i + 1});
    const auto summary = pool.wait();
    CHECK(std::all_of(results.begin(), results.end(), [](int n) { return n == 1; }));
    CHECK(summary.worker_deaths == 0);
    CHECK(summary.workers_recycled >= kJobs / 5 - 2);
    check_nothing_left();
}

// The kill lands wherever the worker is when the callback sees its (N-1)-th or N-th result:
// running its last job, publishing it, giving back its reservation, setting its flag, or
// exiting. Whatever the instant: one result per job, and a job ran twice only if a worker
// died with it (attempts says so).
TEST_CASE("recycling with workers SIGKILLed around their N-th job: no job lost or run twice") {
    constexpr std::uint64_t kJobs = 300;
    constexpr unsigned kPerWorker = 5;
    for (const std::uint32_t kill_after : {kPerWorker - 1, kPerWorker}) {
        for (const unsigned batch : {0u, 1u}) {
            CAPTURE(kill_after);
            CAPTURE(batch);
            SharedCounters runs(kJobs);
            std::vector<int> results(kJobs, 0);
            std::vector<unsigned> attempts(kJobs, 0);
            forkline::Pool pool({.worker_function = counting_handler(runs),
                                 .workers = 2,
                                 .max_attempts = 100,
                                 .claim_batch = batch,
                                 .max_jobs_per_worker = kPerWorker},
                                [&](const forkline::JobResult& r) {
                                    ++results.at(r.id);
                                    attempts.at(r.id) = r.attempts;
                                    REQUIRE(r.status == forkline::JobStatus::ok);
                                    const auto ran = r.as<Ran>();
                                    if (ran.jobs_of_process == kill_after) ::kill(ran.pid, SIGKILL);
                                });
            for (std::uint64_t i = 0; i < kJobs; ++i) pool.submit(i);
            const auto summary = pool.wait();
            for (std::uint64_t i = 0; i < kJobs; ++i) {
                CHECK(results[i] == 1);
                // Run again only after a death (attempts counts runs started: a worker killed
                // between its claim and the handler's first line started one that never ran).
                CHECK(runs[i].load() >= 1);
                CHECK(runs[i].load() <= attempts[i]);
            }
            CHECK(summary.succeeded == kJobs);
            // Some kills land after the worker retired (an exited process): no assertion on
            // how many were deaths; the next test makes every one of them one.
            check_nothing_left();
        }
    }
}

TEST_CASE("recycling with workers SIGKILLed during their N-th job: that job runs again, once") {
    constexpr std::uint64_t kJobs = 100;
    constexpr unsigned kPerWorker = 4;
    SharedCounters runs(kJobs);
    std::vector<int> results(kJobs, 0);
    std::vector<unsigned> attempts(kJobs, 0);
    forkline::Pool pool({.worker_function =
                             [&runs](std::span<const std::byte> job, std::span<std::byte> out) {
                                 static std::uint32_t jobs_of_process = 0;
                                 const auto id = get<std::uint64_t>(job);
                                 // A worker dies during its last job, unless that job already
                                 // killed one (a re-run): then it retires after it.
                                 const bool first_run = ++runs[id] == 1;
                                 if (++jobs_of_process == kPerWorker && first_run) ::raise(SIGKILL);
                                 return put(out, id);
                             },
                         .workers = 2,
                         .max_attempts = 2,
                         .max_jobs_per_worker = kPerWorker},
                        [&](const forkline::JobResult& r) {
                            ++results.at(r.id);
                            attempts.at(r.id) = r.attempts;
                            CHECK(r.status == forkline::JobStatus::ok);
                            CHECK(r.as<std::uint64_t>() == r.id);
                        });
    for (std::uint64_t i = 0; i < kJobs; ++i) pool.submit(i);
    const auto summary = pool.wait();
    std::uint64_t rerun = 0;
    for (std::uint64_t i = 0; i < kJobs; ++i) {
        CHECK(results[i] == 1);
        CHECK(runs[i].load() == attempts[i]);
        if (attempts[i] == 2) ++rerun;
    }
    CHECK(summary.succeeded == kJobs);
    CHECK(summary.worker_deaths == rerun);
    CHECK(summary.worker_deaths > 0);  // the first two workers' 4th jobs are first runs
    // Every process but the last two ended at its N-th job, by death or by retirement.
    CHECK(summary.worker_deaths + summary.workers_recycled >= (kJobs + rerun) / kPerWorker - 2);
    check_nothing_left();
}

TEST_CASE("submit_future: the result goes to the future, not to the callback") {
    int callbacks = 0;
    forkline::Pool pool({.worker_program = TEST_WORKER_PATH,
                         .workers = 2,
                         .max_job_size = sizeof(TestJob),
                         .max_result_size = 64},
                        [&](const forkline::JobResult&) { ++callbacks; });
    auto doubled = pool.submit_future(TestJob{20});
    auto failed = pool.submit_future(TestJob{1, 0, TestJob::throw_error});
    pool.submit(TestJob{1});
    CHECK(pool.in_flight() == 3);
    const auto summary = pool.wait();
    CHECK(callbacks == 1);
    CHECK(summary.succeeded == 2);
    const auto result = doubled.get();
    CHECK(result.status == forkline::JobStatus::ok);
    CHECK(get<std::uint64_t>(result.data) == 40);
    CHECK(failed.get().status == forkline::JobStatus::failed);
    check_nothing_left();
}

TEST_CASE("submit_future: get() from another thread while the pool's thread polls") {
    forkline::Pool pool({.worker_program = TEST_WORKER_PATH,
                         .workers = 1,
                         .max_job_size = sizeof(TestJob),
                         .max_result_size = 64});
    auto future = pool.submit_future(TestJob{5});
    auto getter =
        std::async(std::launch::async, [&future] { return get<std::uint64_t>(future.get().data); });
    // The pool's thread drives it; next_result() sees nothing of the future's job.
    CHECK_FALSE(pool.next_result().has_value());
    CHECK(getter.get() == 10);
    pool.wait();
}

TEST_CASE("submit_future: a pool destroyed first breaks the promise instead of hanging") {
    std::future<forkline::OwnedJobResult> future;
    {
        forkline::Pool pool({.worker_program = TEST_WORKER_PATH,
                             .workers = 1,
                             .max_job_size = sizeof(TestJob),
                             .max_result_size = 64});
        future = pool.submit_future(TestJob{1, 1'000'000});
    }
    CHECK_THROWS_AS(future.get(), std::future_error);
    check_nothing_left();
}

TEST_CASE("map_ordered: results in submission order, even when later jobs finish first") {
    constexpr std::uint64_t kJobs = 200;
    constexpr std::size_t kWindow = 8;
    forkline::Pool pool({.worker_program = TEST_WORKER_PATH,
                         .workers = 3,
                         .max_job_size = sizeof(TestJob),
                         .max_result_size = 64,
                         .claim_batch = 1});
    std::vector<TestJob> jobs;
    // Early jobs of each window pause longest, so completion order is far from submission
    // order.
    for (std::uint64_t i = 0; i < kJobs; ++i) {
        jobs.push_back({i + 1, static_cast<std::uint32_t>((kWindow - i % kWindow) * 300)});
    }
    std::vector<forkline::JobId> order;
    forkline::map_ordered(
        pool, jobs,
        [&](const forkline::OwnedJobResult& r) {
            CHECK(pool.in_flight() < kWindow);  // bounded: at most the window is out
            CHECK(r.status == forkline::JobStatus::ok);
            CHECK(get<std::uint64_t>(r.data) == (r.id + 1) * 2);
            order.push_back(r.id);
        },
        kWindow);
    CHECK(order.size() == kJobs);
    CHECK(std::is_sorted(order.begin(), order.end()));
    CHECK(std::adjacent_find(order.begin(), order.end()) == order.end());
    pool.wait();
}

TEST_CASE("OrderedResults: refuses a full window and a pool with jobs of its own in flight") {
    forkline::Pool pool({.worker_program = TEST_WORKER_PATH,
                         .workers = 1,
                         .max_job_size = sizeof(TestJob),
                         .max_result_size = 64});
    {
        forkline::OrderedResults ordered(pool, 2);
        ordered.submit(TestJob{1});
        ordered.submit(TestJob{2});
        CHECK(ordered.full());
        CHECK_THROWS_AS(ordered.submit(TestJob{3}), forkline::Error);
        CHECK(get<std::uint64_t>(ordered.next()->data) == 2);
        CHECK(get<std::uint64_t>(ordered.next()->data) == 4);
        CHECK_FALSE(ordered.next().has_value());
    }
    pool.submit(TestJob{1});
    CHECK_THROWS_AS(forkline::OrderedResults(pool, 2), forkline::Error);
    pool.wait();
}
