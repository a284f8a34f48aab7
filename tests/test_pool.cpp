// The pool API with real worker processes (test_worker): contention, failures, SIGKILLs.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <forkline/forkline.hpp>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "job_tally.hpp"
#include "processes.hpp"
#include "run_command.hpp"

using test_support::test_worker_pool;

namespace {

// Every job's results, by id: an ok one with (id + 1) * 2.
struct Tally : test_support::ResultCount {
    using ResultCount::ResultCount;
    void operator()(const forkline::JobResult& r) {
        count(r);
        if (r.status == forkline::JobStatus::ok) CHECK(r.as<std::uint64_t>() == (r.id + 1) * 2);
    }
};

}  // namespace

TEST_CASE("200k jobs through 4 worker processes: every result exactly once") {
    constexpr std::size_t kJobs = 200'000;
    Tally tally(kJobs);
    forkline::Pool pool(test_worker_pool(4), std::ref(tally));
    for (std::uint64_t i = 0; i < kJobs; ++i) CHECK(pool.submit(TestJob{i + 1}) == i);
    const auto summary = pool.wait();
    CHECK(tally.each_exactly_once());
    CHECK(summary.submitted == kJobs);
    CHECK(summary.succeeded == kJobs);
    CHECK(summary.sentinels_answered == 4);
    CHECK(summary.worker_deaths == 0);
    CHECK(test_support::children_of(::getpid()).empty());
    CHECK(test_support::segments_of(::getpid()).empty());
}

TEST_CASE("workers pass only fds 0, 1, 2 to what they run; the supervisor leaks none") {
    const auto before = test_support::open_fds();
    std::vector<std::uint64_t> counts;
    {
        forkline::Pool pool(test_worker_pool(2), [&](const forkline::JobResult& r) {
            counts.push_back(r.as<std::uint64_t>());
        });
        for (int i = 0; i < 4; ++i) pool.submit(TestJob{0, 1000, TestJob::count_fds});
        pool.wait();
    }
    CHECK(counts == std::vector<std::uint64_t>(4, 0));
    CHECK(test_support::open_fds() == before);
}

TEST_CASE("an empty run: no jobs, every worker answers its sentinel") {
    forkline::Pool pool(test_worker_pool(3),
                        [](const forkline::JobResult&) { FAIL("no result expected"); });
    const auto summary = pool.wait();
    CHECK(summary.submitted == 0);
    CHECK(summary.sentinels_answered == 3);
}

TEST_CASE("a handler that throws reports failed with its message; the pool goes on") {
    std::string message;
    std::size_t ok = 0;
    forkline::Pool pool(test_worker_pool(2), [&](const forkline::JobResult& r) {
        if (r.status == forkline::JobStatus::failed) {
            message.assign(reinterpret_cast<const char*>(r.data.data()), r.data.size());
        } else {
            ++ok;
        }
    });
    pool.submit(TestJob{1, 0, TestJob::throw_error});
    for (std::uint64_t i = 0; i < 10; ++i) pool.submit(TestJob{i});
    const auto summary = pool.wait();
    CHECK(message == "asked to fail");
    CHECK(summary.failed == 1);
    CHECK(ok == 10);
}

TEST_CASE("a job that kills its worker every time is reported worker_died after 3 attempts") {
    std::vector<forkline::JobResult> results;
    unsigned attempts = 0;
    forkline::Pool pool(test_worker_pool(2), [&](const forkline::JobResult& r) {
        if (r.status == forkline::JobStatus::worker_died) attempts = r.attempts;
        results.push_back(r);
    });
    pool.submit(TestJob{1, 0, TestJob::crash});
    for (std::uint64_t i = 0; i < 20; ++i) pool.submit(TestJob{i});
    const auto summary = pool.wait();
    CHECK(results.size() == 21);
    CHECK(summary.worker_died == 1);
    CHECK(attempts == 3);
    CHECK(summary.worker_deaths == 3);
    CHECK(summary.succeeded == 20);
}

TEST_CASE("SIGKILLed workers at random instants: every job exactly once, no hang, no leak") {
    std::mt19937 random(std::random_device{}());
    for (int run = 0; run < 8; ++run) {
        constexpr std::size_t kJobs = 3000;
        Tally tally(kJobs);
        std::atomic<bool> done{false};
        std::atomic<int> kills{0};
        forkline::Pool pool(test_worker_pool(3), std::ref(tally));
        const pid_t self = ::getpid();
        std::thread killer([&, seed = random()] {
            std::mt19937 rng(seed);
            while (!done) {
                std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
                const auto children = test_support::children_of(self);
                if (!children.empty() && !done &&
                    ::kill(children[rng() % children.size()], SIGKILL) == 0)
                    ++kills;
            }
        });
        for (std::uint64_t i = 0; i < kJobs; ++i) pool.submit(TestJob{i + 1, 100});
        const auto summary = pool.wait();
        done = true;
        killer.join();
        INFO("run " << run << ", kills " << kills);
        CHECK(tally.each_exactly_once());
        CHECK(summary.succeeded + summary.worker_died == kJobs);
        CHECK(summary.worker_deaths <= static_cast<std::uint64_t>(kills));
        CHECK(test_support::segments_of(self).empty());
    }
}

TEST_CASE("the result callback may submit more jobs (chains) and close()") {
    std::vector<int> seen(1000, 0);
    forkline::Pool* self = nullptr;
    forkline::Pool pool({.worker_program = TEST_WORKER_PATH,
                         .workers = 2,
                         .queue_slots = 4,
                         .max_job_size = sizeof(TestJob)},
                        [&](const forkline::JobResult& r) {
                            ++seen.at(r.id);
                            const auto value = r.as<std::uint64_t>() / 2;
                            if (value < 1000) self->submit(TestJob{value + 1});
                            if (value == 1000) self->close();
                        });
    self = &pool;
    pool.submit(TestJob{1});
    const auto summary = pool.wait();
    CHECK(summary.succeeded == 1000);
    CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
}

TEST_CASE("an exception from the callback leaves the pool consistent") {
    int delivered = 0;
    bool thrown = false;
    forkline::Pool pool(test_worker_pool(2), [&](const forkline::JobResult&) {
        ++delivered;
        if (!thrown) {
            thrown = true;
            throw std::runtime_error("callback failed");
        }
    });
    for (std::uint64_t i = 0; i < 100; ++i) pool.submit(TestJob{i + 1});
    CHECK_THROWS_WITH(pool.wait(), "callback failed");
    const auto summary = pool.wait();
    CHECK(delivered == 100);
    CHECK(summary.succeeded == 100);
    CHECK(summary.sentinels_answered == 2);
}

TEST_CASE("workers SIGKILLed before they attach are respawned, not taken for broken") {
    // Each worker spends 200 ms in a shell before exec'ing the real one: kill them there.
    std::size_t results = 0;
    forkline::Pool pool({.worker_program = "/bin/sh",
                         .worker_args = {"-c", "sleep 0.2; exec \"$0\"", TEST_WORKER_PATH},
                         .workers = 4,
                         .max_job_size = sizeof(TestJob)},
                        [&](const forkline::JobResult&) { ++results; });
    const auto early = test_support::wait_for_children(::getpid(), 4);
    CHECK(early.size() == 4);
    for (const pid_t pid : early) ::kill(pid, SIGKILL);
    for (std::uint64_t i = 0; i < 50; ++i) pool.submit(TestJob{i + 1});
    const auto summary = pool.wait();
    CHECK(results == 50);
    CHECK(summary.succeeded == 50);
}

TEST_CASE("job_timeout: a job running too long is reported timed_out, the others go on") {
    std::map<forkline::JobId, forkline::JobStatus> status;
    forkline::Pool pool({.worker_program = TEST_WORKER_PATH,
                         .workers = 2,
                         .max_job_size = sizeof(TestJob),
                         .job_timeout = std::chrono::milliseconds(200)},
                        [&](const forkline::JobResult& r) { status[r.id] = r.status; });
    pool.submit(TestJob{1, 5'000'000});  // 5 s
    for (std::uint64_t i = 0; i < 20; ++i) pool.submit(TestJob{i + 2, 1000});
    const auto summary = pool.wait();
    CHECK(status.size() == 21);
    CHECK(status.at(0) == forkline::JobStatus::timed_out);
    CHECK(summary.timed_out == 1);
    CHECK(summary.succeeded == 20);
}

TEST_CASE("in-process workers: a callable, forked without exec") {
    std::uint64_t sum = 0;
    forkline::Pool pool({.worker_function =
                             [](std::span<const std::byte> job, std::span<std::byte> out) {
                                 std::uint64_t n = 0;
                                 std::memcpy(&n, job.data(), sizeof n);
                                 n *= 3;
                                 std::memcpy(out.data(), &n, sizeof n);
                                 return sizeof n;
                             },
                         .workers = 2},
                        [&](const forkline::JobResult& r) { sum += r.as<std::uint64_t>(); });
    for (std::uint64_t i = 1; i <= 1000; ++i) pool.submit(i);
    const auto summary = pool.wait();
    CHECK(sum == 3 * 1000 * 1001 / 2);
    CHECK(summary.sentinels_answered == 2);
    CHECK(test_support::children_of(::getpid()).empty());
}

TEST_CASE("results by iteration, in completion order, each once") {
    forkline::Pool pool(test_worker_pool(2));
    for (std::uint64_t i = 0; i < 500; ++i) pool.submit(TestJob{i + 1});
    std::vector<int> seen(500, 0);
    while (const auto result = pool.next_result()) {
        ++seen.at(result->id);
        std::uint64_t value = 0;
        std::memcpy(&value, result->data.data(), sizeof value);
        CHECK(value == (result->id + 1) * 2);
    }
    CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
    CHECK(pool.wait().succeeded == 500);
}

TEST_CASE("two pools at once, each used from its own thread") {
    auto use_pool = [](std::uint64_t base, std::uint64_t& sum) {
        forkline::Pool pool(test_worker_pool(2),
                            [&](const forkline::JobResult& r) { sum += r.as<std::uint64_t>(); });
        for (std::uint64_t i = 0; i < 2000; ++i) pool.submit(TestJob{base + i});
        pool.wait();
    };
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::thread first(use_pool, 1, std::ref(a));
    std::thread second(use_pool, 1'000'000, std::ref(b));
    first.join();
    second.join();
    CHECK(a == 2 * (2000ull + 1999ull * 2000 / 2));
    CHECK(b == 2 * (2000ull * 1'000'000 + 1999ull * 2000 / 2));
}

TEST_CASE("destroying a pool with jobs in flight: no hang, no zombie, no leak") {
    const auto fds_before = test_support::open_fds();
    {
        forkline::Pool pool(test_worker_pool(3), [](const forkline::JobResult&) {});
        for (std::uint64_t i = 0; i < 300; ++i) pool.submit(TestJob{i, 10'000});
    }
    CHECK(test_support::children_of(::getpid()).empty());
    CHECK(test_support::segments_of(::getpid()).empty());
    CHECK(test_support::open_fds() == fds_before);
}

TEST_CASE("could-not-run problems are forkline::Error with a clear message") {
    const auto noop = [](const forkline::JobResult&) {};
    CHECK_THROWS_WITH_AS(forkline::Pool({.worker_program = "/nonexistent/worker"}, noop),
                         doctest::Contains("failed to execute /nonexistent/worker"),
                         forkline::Error);
    CHECK_THROWS_WITH_AS(forkline::Pool({.worker_program = "/etc/passwd"}, noop),
                         doctest::Contains("Permission denied"), forkline::Error);
    CHECK_THROWS_AS(forkline::Pool({}, noop), forkline::Error);
    CHECK_THROWS_WITH_AS(
        forkline::Pool({.worker_program = TEST_WORKER_PATH,
                        .worker_function = [](std::span<const std::byte>,
                                              std::span<std::byte>) { return std::size_t{0}; }},
                       noop),
        doctest::Contains("exactly one of"), forkline::Error);
    forkline::Pool not_a_worker({.worker_program = "/bin/true", .workers = 1}, noop);
    CHECK_THROWS_WITH_AS(not_a_worker.wait(), doctest::Contains("before attaching"),
                         forkline::Error);
    forkline::Pool pool(test_worker_pool(1), noop);
    std::vector<std::byte> too_big(sizeof(TestJob) + 1);
    CHECK_THROWS_WITH_AS(pool.submit(too_big), doctest::Contains("exceeds max_job_size"),
                         forkline::Error);
    CHECK_THROWS_WITH_AS(forkline::find_worker("no_such_worker"),
                         doctest::Contains("cannot find worker"), forkline::Error);
}

TEST_CASE("a worker SIGKILLed mid-job: the processes its job started die with it") {
    // The job runs a pipeline whose shell leaves two sleeps in its group, waits, and writes
    // their pids and its own. With adopt_orphans, a third sleep that left the group
    // (setsid) dies too. The job's second attempt finds the file and returns at once.
    for (const bool adopt : {false, true}) {
        CAPTURE(adopt);
        char dir_template[] = "/tmp/forkline-pool-orphans-XXXXXX";
        REQUIRE(::mkdtemp(dir_template) != nullptr);
        const std::filesystem::path dir = dir_template;
        const auto pid_file = dir / "pids";
        const std::string f = test_support::shell_quoted(pid_file.string());
        const std::string script = "sleep 30 & echo $! >> " + f + "; sleep 30 & echo $! >> " + f +
                                   (adopt ? "; setsid sleep 30 & echo $! >> " + f : "") +
                                   "; echo $$ >> " + f + "; wait";
        forkline::Pool pool(
            {.worker_function =
                 [&](std::span<const std::byte>, std::span<std::byte>) {
                     if (!std::filesystem::exists(pid_file))
                         forkline::run_pipeline({{{"sh", "-c", script}}}, {.stdin_null = true});
                     return std::size_t{0};
                 },
             .workers = 1,
             .adopt_orphans = adopt},
            [](const forkline::JobResult& r) { CHECK(r.status == forkline::JobStatus::ok); });
        pool.submit(std::span<const std::byte>{});
        const auto pids = test_support::wait_for_pids(pid_file, adopt ? 4 : 3);
        REQUIRE(pids.size() == (adopt ? 4u : 3u));
        pool.signal_workers(SIGKILL);
        const auto summary = pool.wait();
        CHECK(summary.worker_deaths == 1);
        CHECK(summary.succeeded == 1);
        for (const pid_t pid : pids) CHECK_FALSE(test_support::process_running(pid));
        test_support::kill_all(pids);
        std::filesystem::remove_all(dir);
    }
}

TEST_CASE("guard_jobs: the guardian is a reaped child; one killed meanwhile harms nothing") {
    // SIGPIPE at its default: standing down a dead guardian must not kill this process.
    const auto previous = ::signal(SIGPIPE, SIG_DFL);
    {
        auto options = test_worker_pool(2);
        options.guard_jobs = true;
        Tally tally(100);
        forkline::Pool pool(options, std::ref(tally));
        const auto workers = test_support::workers_of(::getpid());
        CHECK(workers.size() == 2);
        CHECK(test_support::children_of(::getpid()).size() == 3);
        for (const pid_t child : test_support::children_of(::getpid())) {
            if (std::find(workers.begin(), workers.end(), child) == workers.end())
                ::kill(child, SIGKILL);
        }
        for (std::uint64_t i = 0; i < 100; ++i) pool.submit(TestJob{i + 1});
        CHECK(pool.wait().succeeded == 100);
        CHECK(tally.each_exactly_once());
    }
    ::signal(SIGPIPE, previous);
    CHECK(test_support::children_of(::getpid()).empty());
}
