// The claim/complete/recover protocol, step by step in one process: each "worker" is a
// WorkerQueue that simply stops being used where a real one would be SIGKILLed.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <thread>
#include <vector>

#include "idle_workers.hpp"
#include "pool_events.hpp"
#include "segment.hpp"
#include "supervisor_queue.hpp"
#include "worker_queue.hpp"

using namespace forkline;

namespace {

struct Harness {
    OwnedSegment segment = OwnedSegment::create({8, 2, 8, 8});
    SupervisorQueue supervisor{segment.view(), 3};
    WorkerQueue w0{segment.view(), 0};
    WorkerQueue w1{segment.view(), 1};
    std::map<std::uint64_t, std::vector<FinishedSlot>> finished;  // by job id
    FinishedSink sink = [this](const FinishedSlot& slot) { finished[slot.job_id].push_back(slot); };

    void push(std::uint64_t id) {
        const std::uint64_t value = id * 10;
        supervisor.push(id, layout::SlotKind::job, std::as_bytes(std::span(&value, 1)));
    }
    void finish(WorkerQueue& worker, std::uint64_t position) {
        auto& slot = segment.view().slot(position);
        std::memcpy(segment.view().result_data(position), segment.view().job_data(position), 8);
        slot.result_size = 8;
        slot.status = 0;
        worker.complete(position);
    }
    std::uint64_t job_of(std::uint64_t position) { return segment.view().slot(position).job_id; }
};

}  // namespace

TEST_CASE("each published job is claimed once and its result collected once") {
    Harness h;
    for (std::uint64_t id = 0; id < 6; ++id) h.push(id);
    std::vector<std::uint64_t> claimed;
    for (int round = 0; round < 3; ++round) {
        for (auto* worker : {&h.w0, &h.w1}) {
            const auto position = worker->claim_next();
            REQUIRE(position);
            claimed.push_back(h.job_of(*position));
            h.finish(*worker, *position);
        }
    }
    CHECK_FALSE(h.w0.claim_next());
    CHECK(h.supervisor.collect(h.sink) == 6);
    CHECK(h.finished.size() == 6);
    for (const auto& [id, slots] : h.finished) CHECK(slots.size() == 1);
    CHECK(h.supervisor.in_flight() == 0);
}

TEST_CASE("a job held by a dead worker is run again by another") {
    Harness h;
    h.push(0);
    h.push(1);
    const auto held = h.w0.claim_next();  // w0 dies holding job 0
    REQUIRE(held);
    const auto other = h.w1.claim_next();
    REQUIRE(other);
    h.finish(h.w1, *other);
    h.supervisor.recover_worker(0, h.sink);
    CHECK(h.finished.count(h.job_of(*held)) == 0);  // not reported yet: requeued
    const auto again = h.w1.claim_next();
    REQUIRE(again);
    CHECK(*again == *held);
    h.finish(h.w1, *again);
    h.supervisor.collect(h.sink);
    REQUIRE(h.finished.size() == 2);
    CHECK(h.finished[0].size() == 1);
    CHECK(h.finished[0][0].attempts == 2);
    CHECK(h.finished[1][0].attempts == 1);
}

TEST_CASE("a result finished but not published when its worker died is delivered once") {
    Harness h;
    h.push(7);
    const auto position = h.w0.claim_next();
    REQUIRE(position);
    // Died between the DONE store and the ring push: only the slot state says DONE.
    h.segment.view().slot(*position).result_size = 0;
    h.segment.view().slot(*position).state.store(
        layout::SlotState{h.segment.view().lap(*position), layout::Phase::done, 0}.encode());
    h.supervisor.recover_worker(0, h.sink);
    h.supervisor.collect(h.sink);
    REQUIRE(h.finished[7].size() == 1);
    CHECK_FALSE(h.finished[7][0].worker_died);
}

TEST_CASE("positions reserved by a dead worker are not stranded behind the cursor") {
    Harness h;
    h.segment.view().header().claim_batch = 4;
    for (std::uint64_t id = 0; id < 4; ++id) h.push(id);
    const auto first = h.w0.claim_next();  // reserves 0..3, claims 0, then dies
    REQUIRE(first);
    CHECK_FALSE(h.w1.claim_next());  // all reserved by w0
    h.supervisor.recover_worker(0, h.sink);
    std::vector<std::uint64_t> got;
    while (const auto position = h.w1.claim_next()) {
        got.push_back(h.job_of(*position));
        h.finish(h.w1, *position);
    }
    CHECK(got == std::vector<std::uint64_t>{0, 1, 2, 3});
    h.supervisor.collect(h.sink);
    CHECK(h.finished.size() == 4);
}

TEST_CASE("a retiring worker (max_jobs_per_worker) hands its reservation on; nothing runs twice") {
    Harness h;
    h.segment.view().header().claim_batch = 4;
    for (std::uint64_t id = 0; id < 4; ++id) h.push(id);
    const auto last = h.w0.claim_next();  // reserves 0..3; its last job before retiring
    REQUIRE(last);
    h.finish(h.w0, *last);
    h.w0.give_back_reserved();               // what serve() does before setting its retired flag
    h.supervisor.recover_worker(0, h.sink);  // what the pool does when it has exited
    std::vector<std::uint64_t> got;
    while (const auto position = h.w1.claim_next()) {
        got.push_back(h.job_of(*position));
        h.finish(h.w1, *position);
    }
    CHECK(got == std::vector<std::uint64_t>{1, 2, 3});
    h.supervisor.collect(h.sink);
    REQUIRE(h.finished.size() == 4);
    for (const auto& [id, slots] : h.finished) {
        REQUIRE(slots.size() == 1);
        CHECK(slots[0].attempts == 1);
        CHECK_FALSE(slots[0].worker_died);
    }
}

TEST_CASE("a job whose workers keep dying is reported lost after max_attempts, once") {
    Harness h;
    h.push(5);
    for (int attempt = 1; attempt <= 3; ++attempt) {
        const auto position = h.w0.claim_next();
        REQUIRE(position);
        h.supervisor.recover_worker(0, h.sink);
    }
    CHECK_FALSE(h.w1.claim_next());
    REQUIRE(h.finished[5].size() == 1);
    CHECK(h.finished[5][0].worker_died);
    CHECK(h.finished[5][0].attempts == 3);
    CHECK(h.supervisor.in_flight() == 0);
}

TEST_CASE("slots are reused lap after lap, never before their result is drained") {
    Harness h;  // 8 slots
    std::uint64_t next_id = 0;
    std::size_t results = 0;
    FinishedSink count = [&](const FinishedSlot& slot) {
        CHECK(slot.result.size() == 8);
        std::uint64_t value = 0;
        std::memcpy(&value, slot.result.data(), 8);
        CHECK(value == slot.job_id * 10);
        ++results;
    };
    for (int round = 0; round < 50; ++round) {
        while (!h.supervisor.full()) h.push(next_id++);
        CHECK(h.supervisor.in_flight() == 8);
        while (const auto position = h.w0.claim_next()) h.finish(h.w0, *position);
        h.supervisor.collect(count);
    }
    CHECK(results == next_id);
    CHECK(next_id == 400);
}

TEST_CASE("a worker killed while asleep does not stay counted as idle") {
    Harness h;
    forkline::mark_idle(h.segment.view().header(), 1);  // w1 goes to sleep… and is killed
    CHECK(h.segment.view().header().idle_workers[0].load() == 2);
    h.supervisor.recover_worker(1, h.sink);
    CHECK(h.segment.view().header().idle_workers[0].load() == 0);
}

namespace {

// Threads as supervisor and workers (run under TSan in CI): `jobs` jobs through a 256-slot
// queue, then a sentinel per worker; `between(id)` runs on the supervisor's thread before
// each job is pushed. Checks that each job's result came exactly once.
template <typename Between>
void run_threads(std::uint64_t jobs, SupervisorQueue& supervisor, const OwnedSegment& segment,
                 Between between) {
    constexpr std::uint32_t kWorkers = 3;
    PoolEvents events;
    std::vector<std::thread> workers;
    for (std::uint32_t w = 0; w < kWorkers; ++w) {
        workers.emplace_back([&segment, &events, w] {
            WorkerQueue queue(segment.view(), w, events.wake_fd());
            for (;;) {
                const auto position = queue.claim_next();
                if (!position) {
                    queue.wait_for_jobs(std::chrono::milliseconds(1));
                    continue;
                }
                auto& slot = segment.view().slot(*position);
                const bool sentinel =
                    static_cast<layout::SlotKind>(slot.kind) == layout::SlotKind::sentinel;
                if (sentinel) queue.give_back_reserved();
                std::uint64_t value = 0;
                std::memcpy(&value, segment.view().job_data(*position), 8);
                value *= 2;
                std::memcpy(segment.view().result_data(*position), &value, 8);
                slot.result_size = sentinel ? 0 : 8;
                slot.status = 0;
                queue.complete(*position);
                if (sentinel) return;
            }
        });
    }
    std::vector<std::uint8_t> seen(jobs, 0);
    std::uint64_t results = 0;
    std::uint32_t answered = 0;
    FinishedSink sink = [&](const FinishedSlot& slot) {
        if (slot.kind == layout::SlotKind::sentinel) {
            ++answered;
            return;
        }
        std::uint64_t value = 0;
        std::memcpy(&value, slot.result.data(), 8);
        REQUIRE(value == slot.job_id * 2);
        ++seen.at(slot.job_id);
        ++results;
    };
    // Sleeps as the pool does, on the eventfd the workers write (bounded: a lost wake would
    // only slow the test down, and the count of results would still be checked).
    auto sleep = [&] {
        if (supervisor.arm_wake(1)) {
            events.wait(PoolEvents::Clock::now() + std::chrono::milliseconds(100));
        }
        supervisor.disarm_wake();
    };
    auto push = [&](std::uint64_t id, layout::SlotKind kind) {
        while (supervisor.full()) {
            if (supervisor.collect(sink) == 0) sleep();
        }
        supervisor.push(id, kind, std::as_bytes(std::span(&id, 1)));
    };
    for (std::uint64_t id = 0; id < jobs; ++id) {
        between(id);
        push(id, layout::SlotKind::job);
    }
    for (std::uint32_t w = 0; w < kWorkers; ++w) push(0, layout::SlotKind::sentinel);
    while (answered < kWorkers || results < jobs) {
        if (supervisor.collect(sink) == 0) sleep();
    }
    for (auto& thread : workers) thread.join();
    CHECK(results == jobs);
    CHECK(std::all_of(seen.begin(), seen.end(), [](std::uint8_t n) { return n == 1; }));
}

}  // namespace

TEST_CASE(
    "threads as supervisor and workers: 200k jobs, each exactly once (run under TSan in CI)") {
    auto segment = OwnedSegment::create({256, 3, 8, 8});
    SupervisorQueue supervisor(segment.view(), 3);
    run_threads(200'000, supervisor, segment, [](std::uint64_t) {});
}

TEST_CASE("threads: parking and unparking while workers claim; each job exactly once (TSan)") {
    auto segment = OwnedSegment::create({256, 3, 8, 8});
    SupervisorQueue supervisor(segment.view(), 3);
    // Parked for a stretch of pushes now and then, which only the unpark lets the workers
    // take; unparked before the queue could fill with parked slots (nothing would free one).
    run_threads(50'000, supervisor, segment, [&](std::uint64_t id) {
        if (id % 1000 == 0) supervisor.park_all();
        if (supervisor.parking() && (id % 1000 == 200 || supervisor.in_flight() > 128))
            supervisor.unpark_all();
    });
}

TEST_CASE("parked slots are never claimed; unparked, they are, in order; one can be withdrawn") {
    Harness h;
    h.push(0);
    h.push(1);
    h.supervisor.park_all();
    h.push(2);  // written parked
    CHECK(h.supervisor.parking());
    CHECK_FALSE(h.w0.claim_next());
    const auto parked = h.supervisor.find_job(1);
    REQUIRE(parked);
    CHECK_FALSE(parked->running);
    CHECK(h.supervisor.withdraw(parked->position));
    h.supervisor.unpark_all();
    CHECK_FALSE(h.supervisor.parking());
    for (const std::uint64_t id : {0, 2}) {
        const auto position = h.w0.claim_next();  // the cursor went back past the parked
        REQUIRE(position);
        CHECK(h.job_of(*position) == id);
        h.finish(h.w0, *position);
    }
    CHECK_FALSE(h.w0.claim_next());
    CHECK(h.supervisor.collect(h.sink) == 2);
}

TEST_CASE("a job requeued while parked stays parked; its worker's claim before the pause holds") {
    Harness h;
    h.push(0);
    h.push(1);
    const auto running = h.w0.claim_next();  // claimed before the pause: it runs on
    REQUIRE(running);
    h.supervisor.park_all();
    h.supervisor.recover_worker(0, h.sink);  // w0 died: job 0 goes back, parked
    CHECK(h.finished.empty());
    CHECK_FALSE(h.w1.claim_next());
    h.supervisor.unpark_all();
    const auto again = h.w1.claim_next();
    REQUIRE(again);
    CHECK(*again == *running);
}

TEST_CASE("parked sentinels wait behind parked jobs; unpark_sentinels lets only them go") {
    Harness h;
    h.push(0);
    h.supervisor.park_all();
    h.supervisor.push(1, layout::SlotKind::sentinel, {});
    CHECK_FALSE(h.w0.claim_next());
    h.supervisor.unpark_sentinels();
    const auto position = h.w0.claim_next();
    REQUIRE(position);
    CHECK(h.job_of(*position) == 1);  // the sentinel; job 0 stays parked
    CHECK_FALSE(h.w1.claim_next());
    CHECK(h.supervisor.parking());
}

TEST_CASE("a withdrawn job is never claimed; one claimed first cannot be withdrawn") {
    Harness h;
    h.push(0);
    h.push(1);
    const auto place = h.supervisor.find_job(1);
    REQUIRE(place);
    CHECK_FALSE(place->running);
    CHECK(h.supervisor.withdraw(place->position));
    const auto position = h.w0.claim_next();
    REQUIRE(position);
    CHECK(h.job_of(*position) == 0);
    CHECK_FALSE(h.w0.claim_next());  // job 1 is gone: skipped like a taken slot
    const auto running = h.supervisor.find_job(0);
    REQUIRE(running);
    CHECK(running->running);
    CHECK(running->worker == 0);
    CHECK_FALSE(h.supervisor.withdraw(running->position));
    h.finish(h.w0, *position);
    CHECK(h.supervisor.collect(h.sink) == 1);
    CHECK_FALSE(h.supervisor.find_job(0));
    CHECK(h.supervisor.in_flight() == 0);  // the withdrawn slot is free for reuse
}

namespace {

// One worker writing the supervisor's eventfd, as a pool's do; a job claimed while the
// supervisor is armed to sleep.
struct Wakeable {
    PoolEvents events;
    OwnedSegment segment = OwnedSegment::create({8, 1, 8, 8});
    SupervisorQueue supervisor{segment.view(), 3};
    WorkerQueue worker{segment.view(), 0, events.wake_fd()};

    std::uint64_t claim_armed(std::chrono::nanoseconds timeout) {
        const std::uint64_t value = 7;
        supervisor.push(0, layout::SlotKind::job, std::as_bytes(std::span(&value, 1)), timeout);
        REQUIRE(supervisor.arm_wake(1));
        const auto position = worker.claim_next();
        REQUIRE(position);
        return *position;
    }
    // Bounded: a missing wake fails after 30 s instead of hanging.
    bool woken() {
        const auto limit = PoolEvents::Clock::now() + std::chrono::seconds(30);
        events.wait(limit);
        return PoolEvents::Clock::now() < limit;
    }
};

}  // namespace

TEST_CASE("an armed supervisor's eventfd is written once a result is ready") {
    Wakeable w;
    auto& supervisor = w.supervisor;
    const auto position = w.claim_armed({});
    w.segment.view().slot(position).result_size = 0;
    w.worker.complete(position);
    CHECK(w.woken());
    supervisor.disarm_wake();
    CHECK_FALSE(supervisor.arm_wake(1));  // unread result: the caller must not sleep
    supervisor.disarm_wake();
    FinishedSink sink = [](const FinishedSlot&) {};
    CHECK(supervisor.collect(sink) == 1);
}

TEST_CASE("a worker starting a job with a timeout wakes an armed supervisor") {
    Wakeable w;
    const auto position = w.claim_armed(std::chrono::seconds(5));
    w.worker.starting(position, std::chrono::steady_clock::now());
    CHECK(w.segment.view().slot(position).started_ns.load() != 0);
    CHECK(w.woken());
}

TEST_CASE("header validation refuses foreign or damaged segments") {
    Harness h;
    const auto& view = h.segment.view();
    const auto size = view.geometry().total_size();
    const void* bytes = &view.header();
    const auto owner = view.header().owner_uid;  // the euid (Windows: 0, the SID is checked)
    CHECK(validate_header(bytes, size, owner).empty());
    CHECK(validate_header(bytes, size, owner + 1) == "segment belongs to another user");
    CHECK(validate_header(bytes, size + 4096, owner) == "segment size does not match its geometry");
    CHECK(validate_header(bytes, 16, owner) == "segment is smaller than its header");
    std::vector<std::byte> copy(static_cast<const std::byte*>(bytes),
                                static_cast<const std::byte*>(bytes) + 4096);
    copy[0] = std::byte{0};
    CHECK(validate_header(copy.data(), size, owner) == "segment has a wrong magic number");
}
