// One set of tests for every pool, written against the JobPool concept (job_pool.hpp): the
// local Pool and the RedisPool (with a private redis-server and its own local workers,
// which take jobs through Redis as remote hosts do) must behave the same. No timing
// thresholds: every wait is bounded by a generous deadline and fails the test past it.
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>

#include <chrono>
#include <cstring>
#include <forkline/job_pool.hpp>
#include <forkline/redis.hpp>
#include <memory>
#include <set>
#include <string>

#include "redis_server.hpp"
#include "test_job.hpp"

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr auto kPatience = std::chrono::seconds(60);  // a bound, not an expectation

// A pool of two test_worker processes, of each kind, made without a result callback.
template <typename P>
struct Subject;

template <>
struct Subject<forkline::Pool> {
    forkline::Pool pool{{.worker_program = TEST_WORKER_PATH, .workers = 2}};
};

template <>
struct Subject<forkline::RedisPool> {
    test_support::RedisServer redis;
    forkline::RedisPool pool{
        {.url = redis.url(), .queue = "typed", .workers = 2, .worker_program = TEST_WORKER_PATH}};
};

template <forkline::JobPool P>
forkline::JobId submit(P& pool, const TestJob& job) {
    return pool.submit(std::as_bytes(std::span(&job, 1)));
}

std::uint64_t value_of(const forkline::OwnedJobResult& r) {
    std::uint64_t value = 0;
    REQUIRE(r.data.size() == sizeof value);
    std::memcpy(&value, r.data.data(), sizeof value);
    return value;
}

// The next result, or a failed test after kPatience.
template <forkline::JobPool P>
forkline::OwnedJobResult next(P& pool) {
    auto r = pool.next_result();
    REQUIRE(r.has_value());
    return std::move(*r);
}

}  // namespace

TEST_CASE_TEMPLATE("every job once, in_flight, close, wait", P, forkline::Pool,
                   forkline::RedisPool) {
    Subject<P> subject;
    auto& pool = subject.pool;
    constexpr std::uint64_t kJobs = 500;
    for (std::uint64_t n = 0; n < kJobs; ++n) CHECK(submit(pool, {.value = n}) == n);
    const TestJob last{.value = kJobs};
    const auto extra = pool.try_submit(std::as_bytes(std::span(&last, 1)));
    CHECK((!extra || *extra == kJobs));
    const std::uint64_t total = extra ? kJobs + 1 : kJobs;
    std::set<forkline::JobId> seen;
    while (const auto r = pool.next_result()) {
        CHECK(r->status == forkline::JobStatus::ok);
        CHECK(value_of(*r) == 2 * r->id);
        CHECK(seen.insert(r->id).second);
    }
    CHECK(seen.size() == total);
    CHECK(pool.in_flight() == 0);
    pool.close();
    CHECK_THROWS_AS(submit(pool, {.value = 1}), forkline::Error);
    const auto summary = pool.wait();
    CHECK(summary.submitted == total);
    CHECK(summary.succeeded == total);
}

TEST_CASE_TEMPLATE("a failed job says what was thrown, a crashed one how its worker ended", P,
                   forkline::Pool, forkline::RedisPool) {
    Subject<P> subject;
    auto& pool = subject.pool;
    const auto failing = submit(pool, {.action = TestJob::throw_error});
    const auto crashing = submit(pool, {.action = TestJob::crash});
    for (int i = 0; i < 2; ++i) {
        const auto r = next(pool);
        if (r.id == failing) {
            CHECK(r.status == forkline::JobStatus::failed);
            CHECK(std::string(reinterpret_cast<const char*>(r.data.data()), r.data.size()) ==
                  "asked to fail");
            CHECK(r.exception_type == "std::runtime_error");
        } else {
            CHECK(r.id == crashing);
            CHECK(r.status == forkline::JobStatus::worker_died);
            CHECK(r.worker_exit.code == 3);
            CHECK(r.worker_exit.signal == 0);
            CHECK(r.attempts >= 1);
        }
    }
    const auto summary = pool.wait();
    CHECK(summary.failed == 1);
    CHECK(summary.worker_died == 1);
}

TEST_CASE_TEMPLATE("fd() is readable when poll(0) has a result to deliver", P, forkline::Pool,
                   forkline::RedisPool) {
    Subject<P> subject;
    auto& pool = subject.pool;
    submit(pool, {.value = 21});
    std::size_t delivered = 0;
    const auto deadline = Clock::now() + kPatience;
    while (delivered == 0 && Clock::now() < deadline) {
        pollfd p{pool.fd(), POLLIN, 0};
        if (::poll(&p, 1, 1000) == 1) delivered = pool.poll(milliseconds(0));
    }
    REQUIRE(delivered == 1);
    const auto r = pool.next_result();  // what poll(0) delivered, kept for next_result()
    REQUIRE(r.has_value());
    CHECK(value_of(*r) == 42);
    pool.wait();
}

TEST_CASE_TEMPLATE("signal_workers reaches the worker running a job", P, forkline::Pool,
                   forkline::RedisPool) {
    Subject<P> subject;
    auto& pool = subject.pool;
    submit(pool, {.pause_us = 3'600'000'000u});  // an hour: only a signal ends it
    // SIGKILL until the job is reported: each kill is one attempt of at most a few.
    const auto deadline = Clock::now() + kPatience;
    while (pool.in_flight() > 0 && Clock::now() < deadline) {
        pool.signal_workers(SIGKILL);
        pool.poll(milliseconds(300));
    }
    REQUIRE(pool.in_flight() == 0);
    const auto r = next(pool);
    CHECK(r.status == forkline::JobStatus::worker_died);
    CHECK(r.worker_exit.signal == SIGKILL);
    pool.wait();
}

TEST_CASE_TEMPLATE("poll(): nothing in flight returns at once; milliseconds::max() waits", P,
                   forkline::Pool, forkline::RedisPool) {
    Subject<P> subject;
    auto& pool = subject.pool;
    // Were it to wait out the hour, the suite's timeout would fail it.
    CHECK(pool.poll(std::chrono::hours(1)) == 0);
    // A job that takes a while: poll(max) waits for its result (no overflow into the past).
    submit(pool, {.value = 21, .pause_us = 200000});
    CHECK(pool.poll(milliseconds::max()) == 1);
    const auto r = next(pool);
    CHECK(value_of(r) == 42);
    pool.wait();
}
