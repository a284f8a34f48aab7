// Driving a pool from an event loop and controlling single jobs: Pool::fd() with epoll,
// try_submit(), per-job timeouts, cancel() of waiting and running jobs.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <forkline/forkline.hpp>
#include <map>
#include <thread>
#include <vector>

#include "processes.hpp"
#include "test_job.hpp"
#include "unique_fd.hpp"

namespace {

using namespace std::chrono_literals;

constexpr int kPatienceMs = 30'000;  // bounds every wait: a hang fails, it never blocks CI

forkline::PoolOptions test_pool(unsigned workers) {
    return {.worker_program = TEST_WORKER_PATH,
            .workers = workers,
            .queue_slots = 4,
            .max_job_size = sizeof(TestJob),
            .max_result_size = 64};
}

// Waits (bounded) until `fd` is readable, as an event loop would.
bool readable(int fd) {
    forkline::UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
    epoll_event event{.events = EPOLLIN, .data = {}};
    REQUIRE(::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &event) == 0);
    return ::epoll_wait(epoll.get(), &event, 1, kPatienceMs) == 1;
}

// A pipe a forked in-process handler uses to say "started", and one the test writes to let
// it finish: so the test knows a job is running without guessing a duration.
struct Handshake {
    int started[2];
    int release[2];
    Handshake() {
        REQUIRE(::pipe2(started, O_CLOEXEC) == 0);
        REQUIRE(::pipe2(release, O_CLOEXEC) == 0);
    }
    ~Handshake() {
        for (int fd : {started[0], started[1], release[0], release[1]}) ::close(fd);
    }
    // In the worker: a job 0 says it started and waits to be released (or killed).
    forkline::JobHandler handler() const {
        return [this](std::span<const std::byte> job, std::span<std::byte>) -> std::size_t {
            std::uint64_t n = 0;
            std::memcpy(&n, job.data(), sizeof n);
            if (n == 0) {
                char c = 's';
                (void)!::write(started[1], &c, 1);
                (void)!::read(release[0], &c, 1);
            }
            return 0;
        };
    }
    void wait_started() const {
        REQUIRE(readable(started[0]));
        char c;
        REQUIRE(::read(started[0], &c, 1) == 1);
    }
    void let_go() const { REQUIRE(::write(release[1], "r", 1) == 1); }
};

}  // namespace

TEST_CASE("an epoll loop drives a pool: fd() readable for results, try_submit() never blocks") {
    constexpr std::uint64_t kJobs = 200;
    std::map<forkline::JobId, std::uint64_t> results;
    forkline::Pool pool(
        test_pool(2), [&](const forkline::JobResult& r) { results[r.id] = r.as<std::uint64_t>(); });
    forkline::UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
    epoll_event event{.events = EPOLLIN, .data = {}};
    REQUIRE(::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, pool.fd(), &event) == 0);
    std::uint64_t next = 0;
    while (results.size() < kJobs) {
        while (next < kJobs && pool.try_submit(TestJob{next, next % 7 == 0 ? 200u : 0u})) ++next;
        REQUIRE(::epoll_wait(epoll.get(), &event, 1, kPatienceMs) == 1);
        pool.poll(0ms);
    }
    for (const auto& [id, value] : results) CHECK(value == 2 * id);
    const auto summary = pool.wait();
    CHECK(summary.succeeded == kJobs);
    CHECK(::epoll_wait(epoll.get(), &event, 1, 0) == 0);  // quiet once wait() returned
}

TEST_CASE("try_submit() returns nullopt on a full queue instead of waiting") {
    Handshake handshake;
    forkline::Pool pool(
        {.worker_function = handshake.handler(), .workers = 1, .queue_slots = 4, .claim_batch = 1});
    REQUIRE(pool.try_submit(std::uint64_t{0}));
    handshake.wait_started();  // the only worker is held: nothing will free a slot
    for (std::uint64_t n = 1; n < 4; ++n) CHECK(pool.try_submit(n) == forkline::JobId{n});
    CHECK_FALSE(pool.try_submit(std::uint64_t{4}));
    CHECK_FALSE(pool.try_submit(std::uint64_t{4}));
    CHECK(pool.in_flight() == 4);
    handshake.let_go();
    CHECK(pool.wait().succeeded == 4);
}

TEST_CASE("fd() becomes readable when a worker dies, and the job is run again") {
    std::vector<forkline::JobResult> seen;
    forkline::Pool pool(test_pool(1), [&](const forkline::JobResult& r) { seen.push_back(r); });
    const int fd = pool.fd();
    pool.submit(TestJob{1, 0, TestJob::crash});
    while (seen.empty()) {
        REQUIRE(readable(fd));
        pool.poll(0ms);
    }
    CHECK(seen.at(0).status == forkline::JobStatus::worker_died);
    CHECK(seen.at(0).attempts == 3);
    CHECK(pool.wait().worker_deaths == 3);
}

TEST_CASE("a job's own timeout overrides job_timeout, both ways") {
    std::map<forkline::JobId, forkline::JobStatus> status;
    auto options = test_pool(2);
    options.job_timeout = 100ms;
    forkline::Pool pool(options, [&](const forkline::JobResult& r) { status[r.id] = r.status; });
    // 30 s of sleep, ended by its own 100 ms timeout (the pool's would end it too)
    const auto short_one = pool.submit(TestJob{1, 30'000'000}, {.timeout = 100ms});
    // 300 ms, past the pool's 100 ms: runs to the end without a timeout
    const auto untimed =
        pool.submit(TestJob{2, 300'000}, {.timeout = forkline::JobOptions::kNoTimeout});
    const auto summary = pool.wait();
    CHECK(status.at(short_one) == forkline::JobStatus::timed_out);
    CHECK(status.at(untimed) == forkline::JobStatus::ok);
    CHECK(summary.timed_out == 1);
    CHECK_THROWS_AS(forkline::Pool(test_pool(1)).submit(TestJob{}, {.timeout = -1ms}),
                    forkline::Error);
}

TEST_CASE("a per-job timeout in a pool without job_timeout ends only that job") {
    std::map<forkline::JobId, forkline::JobStatus> status;
    forkline::Pool pool(test_pool(1),
                        [&](const forkline::JobResult& r) { status[r.id] = r.status; });
    const auto slow = pool.submit(TestJob{1, 30'000'000}, {.timeout = 50ms});
    const auto after = pool.submit(TestJob{2});
    pool.wait();
    CHECK(status.at(slow) == forkline::JobStatus::timed_out);
    CHECK(status.at(after) == forkline::JobStatus::ok);
}

TEST_CASE("cancel() withdraws a job no worker has taken; it never runs") {
    Handshake handshake;
    std::map<forkline::JobId, forkline::JobResult> results;
    forkline::Pool pool({.worker_function = handshake.handler(), .workers = 1, .claim_batch = 1},
                        [&](const forkline::JobResult& r) { results.emplace(r.id, r); });
    const auto busy = pool.submit(std::uint64_t{0});
    handshake.wait_started();
    const auto waiting = pool.submit(std::uint64_t{1});
    const auto kept = pool.submit(std::uint64_t{2});
    CHECK(pool.cancel(waiting));
    CHECK_FALSE(pool.cancel(waiting));  // once only
    CHECK_FALSE(pool.cancel(busy));     // running: only with kill_running
    CHECK_FALSE(pool.cancel(12345));    // unknown
    handshake.let_go();
    const auto summary = pool.wait();
    CHECK(results.at(waiting).status == forkline::JobStatus::cancelled);
    CHECK(results.at(waiting).attempts == 0);
    CHECK(results.at(busy).status == forkline::JobStatus::ok);
    CHECK(results.at(kept).status == forkline::JobStatus::ok);
    CHECK(summary.cancelled == 1);
    CHECK(summary.succeeded == 2);
    CHECK_FALSE(pool.cancel(kept));  // finished
}

TEST_CASE("cancel(kill_running) kills a running job's worker; a new one runs the rest") {
    Handshake handshake;
    std::map<forkline::JobId, forkline::JobStatus> status;
    forkline::Pool pool({.worker_function = handshake.handler(), .workers = 1, .claim_batch = 1},
                        [&](const forkline::JobResult& r) { status[r.id] = r.status; });
    const int fd = pool.fd();
    const auto stuck = pool.submit(std::uint64_t{0});  // never released
    handshake.wait_started();
    CHECK(pool.cancel(stuck, forkline::CancelMode::kill_running));
    while (status.empty()) {
        REQUIRE(readable(fd));  // the worker's death wakes the loop
        pool.poll(0ms);
    }
    CHECK(status.at(stuck) == forkline::JobStatus::cancelled);
    const auto next = pool.submit(std::uint64_t{1});
    const auto summary = pool.wait();
    CHECK(status.at(next) == forkline::JobStatus::ok);
    CHECK(summary.cancelled == 1);
    CHECK(test_support::children_of(::getpid()).empty());
}

TEST_CASE("a job cancelled from the result callback is reported after it, not inside") {
    Handshake handshake;
    std::vector<std::pair<forkline::JobId, forkline::JobStatus>> order;
    forkline::JobId victim = 0;
    forkline::Pool* self = nullptr;
    forkline::Pool pool({.worker_function = handshake.handler(), .workers = 1, .claim_batch = 1},
                        [&](const forkline::JobResult& r) {
                            order.emplace_back(r.id, r.status);
                            if (r.id != 0) return;
                            // The worker is held by job 1 now (or soon): job 2 still waits.
                            CHECK(self->cancel(victim));
                            handshake.let_go();  // job 1
                        });
    self = &pool;
    pool.submit(std::uint64_t{0});
    handshake.wait_started();
    pool.submit(std::uint64_t{0});  // job 1: holds the worker until the callback lets it go
    victim = pool.submit(std::uint64_t{2});
    handshake.let_go();  // job 0
    const auto summary = pool.wait();
    REQUIRE(order.size() == 3);
    CHECK(order[0] == std::pair{forkline::JobId{0}, forkline::JobStatus::ok});
    CHECK(order[1] == std::pair{victim, forkline::JobStatus::cancelled});
    CHECK(order[2] == std::pair{forkline::JobId{1}, forkline::JobStatus::ok});
    CHECK(summary.cancelled == 1);
}
