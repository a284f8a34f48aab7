// Typed jobs through a real pool (codec.hpp on both sides), what a failed or lost job says
// about its cause, and the pool's documented edges: worker_index(), an exact queue_slots, a
// relative worker_program, next_result()'s nullopt.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <forkline/forkline.hpp>
#include <forkline/json_codec.hpp>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "fd_starved.hpp"
#include "test_job.hpp"
#include "unique_fd.hpp"

namespace {

forkline::PoolOptions typed_pool(forkline::JobHandler handler, unsigned workers = 2) {
    return {.worker_function = std::move(handler), .workers = workers};
}

std::string text_of(const forkline::JobResult& r) {
    return std::string(r.as<std::string_view>());
}

}  // namespace

namespace shop {
struct Order {
    std::string customer;
    std::vector<std::uint32_t> prices;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Order, customer, prices)
struct Receipt {
    std::string line;
    std::uint64_t total;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Receipt, line, total)
}  // namespace shop

TEST_CASE("string_view, a span of chars and std::string arrive as their contents") {
    const std::string text = "a job, not an address";
    std::map<forkline::JobId, std::string> answers;
    forkline::Pool pool(
        typed_pool(forkline::typed_handler<std::string_view, std::string>(
            [](std::string_view job) { return std::string(job.rbegin(), job.rend()); })),
        [&](const forkline::JobResult& r) { answers[r.id] = text_of(r); });
    pool.submit(std::string_view(text));
    pool.submit(std::span<const char>(text));
    pool.submit(text);
    pool.submit(std::as_bytes(std::span(text)));
    const auto summary = pool.wait();
    CHECK(summary.succeeded == 4);
    const std::string reversed(text.rbegin(), text.rend());
    for (forkline::JobId id = 0; id < 4; ++id) CHECK(answers.at(id) == reversed);
}

TEST_CASE("vectors of plain values and JSON types round-trip through the workers") {
    std::vector<std::uint64_t> sums;
    forkline::Pool vectors(
        typed_pool(forkline::typed_handler<std::vector<std::uint32_t>, std::uint64_t>(
            [](const std::vector<std::uint32_t>& v) {
                return std::accumulate(v.begin(), v.end(), std::uint64_t{0});
            })),
        [&](const forkline::JobResult& r) { sums.push_back(r.as<std::uint64_t>()); });
    vectors.submit(std::vector<std::uint32_t>{1, 2, 3, 4});
    vectors.submit(std::vector<std::uint32_t>{});
    vectors.wait();
    std::sort(sums.begin(), sums.end());
    CHECK(sums == std::vector<std::uint64_t>{0, 10});

    forkline::Pool orders(typed_pool(forkline::typed_handler<
                                     shop::Order, shop::Receipt>([](const shop::Order& o) {
        const auto total = std::accumulate(o.prices.begin(), o.prices.end(), std::uint64_t{0});
        return shop::Receipt{o.customer + ": " + std::to_string(o.prices.size()) + " items", total};
    })));
    orders.submit(shop::Order{"ada", {250, 120}});
    const auto result = orders.next_result();
    REQUIRE(result);
    REQUIRE(result->status == forkline::JobStatus::ok);
    const auto receipt = result->as<shop::Receipt>();
    CHECK(receipt.line == "ada: 2 items");
    CHECK(receipt.total == 370);
}

TEST_CASE(
    "a job its codec refuses fails with the codec's message; as<T>() of the wrong size throws") {
    std::string message, type;
    forkline::Pool pool(typed_pool(forkline::typed_handler<std::uint64_t, std::uint64_t>(
                            [](std::uint64_t n) { return n; })),
                        [&](const forkline::JobResult& r) {
                            CHECK(r.status == forkline::JobStatus::failed);
                            message = text_of(r);
                            type = r.exception_type;
                            CHECK_THROWS_WITH_AS(r.as<std::uint32_t>(),
                                                 "result of job 0: 19 bytes, expected 4",
                                                 forkline::Error);
                        });
    pool.submit(std::uint32_t{7});
    CHECK(pool.wait().failed == 1);
    CHECK(message == "4 bytes, expected 8");
    CHECK(type == "forkline::Error");
}

TEST_CASE("failed says the exception's type; worker_died the exit code; timed_out SIGKILL") {
    std::map<forkline::JobId, forkline::OwnedJobResult> results;
    forkline::Pool pool({.worker_program = TEST_WORKER_PATH,
                         .workers = 2,
                         .max_job_size = sizeof(TestJob),
                         .max_attempts = 1,
                         .job_timeout = std::chrono::milliseconds(200)});
    pool.submit(TestJob{1, 0, TestJob::throw_error});
    pool.submit(TestJob{2, 0, TestJob::crash});  // _exit(3)
    pool.submit(TestJob{3, 30'000'000});         // 30 s: killed at the timeout
    pool.submit(TestJob{4});
    while (auto r = pool.next_result()) results.emplace(r->id, std::move(*r));
    REQUIRE(results.size() == 4);

    const auto& failed = results.at(0);
    CHECK(failed.status == forkline::JobStatus::failed);
    CHECK(failed.exception_type == "std::runtime_error");
    CHECK(std::string(reinterpret_cast<const char*>(failed.data.data()), failed.data.size()) ==
          "asked to fail");
    CHECK(failed.worker_exit.code == 0);
    CHECK(failed.worker_exit.signal == 0);

    const auto& died = results.at(1);
    CHECK(died.status == forkline::JobStatus::worker_died);
    CHECK(died.worker_exit.code == 3);
    CHECK(died.worker_exit.signal == 0);
    CHECK(died.exception_type.empty());

    const auto& late = results.at(2);
    CHECK(late.status == forkline::JobStatus::timed_out);
    CHECK(late.worker_exit.signal == SIGKILL);

    CHECK(results.at(3).status == forkline::JobStatus::ok);
    CHECK(results.at(3).worker_exit.signal == 0);
    pool.wait();
}

TEST_CASE("a worker killed by a signal: worker_died names it; a thrown int fails the job alone") {
    forkline::Pool pool(typed_pool(forkline::typed_handler<std::uint32_t, std::uint32_t>(
                                       [](std::uint32_t action) -> std::uint32_t {
                                           if (action == 1) ::raise(SIGSEGV);
                                           if (action == 2) throw 42;
                                           return action;
                                       }),
                                   1));
    pool.submit(std::uint32_t{1});
    pool.submit(std::uint32_t{2});
    pool.submit(std::uint32_t{0});
    std::map<forkline::JobId, forkline::OwnedJobResult> results;
    while (auto r = pool.next_result()) results.emplace(r->id, std::move(*r));
    REQUIRE(results.size() == 3);
    CHECK(results.at(0).status == forkline::JobStatus::worker_died);
    CHECK(results.at(0).worker_exit.signal == SIGSEGV);
    CHECK(results.at(0).attempts == 3);
    CHECK(results.at(1).status == forkline::JobStatus::failed);
    CHECK(results.at(1).exception_type == "int");
    CHECK(results.at(1).data.empty());
    CHECK(results.at(2).status == forkline::JobStatus::ok);
    CHECK(pool.wait().worker_deaths == 3);
}

TEST_CASE("worker_index(): each worker knows its index, below worker_count(); none outside") {
    CHECK_FALSE(forkline::worker_index().has_value());
    std::set<std::uint32_t> seen;
    forkline::Pool pool(
        typed_pool(forkline::typed_handler<std::uint32_t, std::uint32_t>([](std::uint32_t) {
                       ::usleep(1000);  // let every worker take some
                       return forkline::worker_index().value_or(999);
                   }),
                   3),
        [&](const forkline::JobResult& r) { seen.insert(r.as<std::uint32_t>()); });
    for (std::uint32_t i = 0; i < 300; ++i) pool.submit(i);
    pool.wait();
    REQUIRE_FALSE(seen.empty());
    CHECK(*seen.rbegin() < pool.worker_count());
}

TEST_CASE("worker_index() in worker_init is the index it is given") {
    static bool init_saw_its_index = false;  // in each forked worker's copy
    std::uint64_t agreed = 0;
    forkline::Pool pool(
        {.worker_function = forkline::typed_handler<std::uint32_t, std::uint32_t>(
             [](std::uint32_t) { return init_saw_its_index ? 1u : 0u; }),
         .workers = 2,
         .worker_init =
             [](unsigned index) { init_saw_its_index = forkline::worker_index() == index; }},
        [&](const forkline::JobResult& r) { agreed += r.as<std::uint32_t>(); });
    for (std::uint32_t i = 0; i < 20; ++i) pool.submit(i);
    pool.wait();
    CHECK(agreed == 20);
}

TEST_CASE("queue_slots is exact: with 3, a fourth submit() waits for a result") {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    const forkline::UniqueFd read_end(fds[0]), write_end(fds[1]);
    // Each job waits for one byte: the first may run, the others stay queued.
    forkline::Pool pool(
        {.worker_function =
             [fd = read_end.get()](std::span<const std::byte>, std::span<std::byte>) {
                 char byte;
                 if (::read(fd, &byte, 1) != 1) throw std::runtime_error("no byte");
                 return std::size_t{0};
             },
         .workers = 1,
         .queue_slots = 3});
    REQUIRE(::write(write_end.get(), "x", 1) == 1);
    for (int i = 0; i < 4; ++i) pool.submit(std::uint32_t{0});
    CHECK(pool.in_flight() == 3);  // the fourth went in only once the first was done
    REQUIRE(::write(write_end.get(), "xxx", 3) == 3);
    const auto summary = pool.wait();
    CHECK(summary.succeeded == 4);
}

TEST_CASE("a relative worker_program is fixed at construction: respawns survive a chdir") {
    const std::filesystem::path worker = TEST_WORKER_PATH;
    const auto before = std::filesystem::current_path();
    std::filesystem::current_path(worker.parent_path());
    std::uint64_t ok = 0;
    forkline::Pool pool(
        {.worker_program = worker.filename(), .workers = 2},
        [&](const forkline::JobResult& r) { ok += r.status == forkline::JobStatus::ok ? 1 : 0; });
    std::filesystem::current_path("/");
    pool.signal_workers(SIGKILL);  // every job below runs in a respawned worker
    for (std::uint64_t i = 0; i < 20; ++i) pool.submit(TestJob{i});
    const auto summary = pool.wait();
    std::filesystem::current_path(before);
    CHECK(ok == 20);
    CHECK(summary.worker_deaths == 2);
}

TEST_CASE("next_result()'s nullopt means nothing in flight now: later jobs still come back") {
    forkline::Pool pool(typed_pool(forkline::typed_handler<std::uint64_t, std::uint64_t>(
        [](std::uint64_t n) { return n + 1; })));
    pool.submit(std::uint64_t{1});
    REQUIRE(pool.next_result());
    CHECK_FALSE(pool.next_result());
    pool.submit(std::uint64_t{41});
    const auto later = pool.next_result();
    REQUIRE(later);
    CHECK(later->as<std::uint64_t>() == 42);
    pool.wait();
}

TEST_CASE("out of descriptors at any step: the pool throws forkline::Error, nothing else") {
    CHECK(test_support::runs_escaping_forkline_error(
              [] {
                  forkline::Pool pool({.worker_program = TEST_WORKER_PATH, .workers = 2});
                  pool.submit(TestJob{1});
                  pool.wait();
              },
              12) == 0);
}
