// The supervisor side of the Redis transport: submit in batches, collect and deduplicate
// results, reap workers whose heartbeat expired, then the sentinels (docs/redis.md).
#include <algorithm>
#include <deque>
#include <forkline/error.hpp>
#include <forkline/redis.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "connection.hpp"
#include "entry.hpp"
#include "ids.hpp"
#include "keys.hpp"
#include "result_summary.hpp"
#include "scripts.hpp"

namespace forkline {

using namespace redis;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct RedisPool::Impl {
    Impl(RedisPoolOptions o, ResultCallback callback)
        : options(std::move(o)),
          queue(checked_queue_name(options.queue)),
          run(random_hex(8)),
          keys(queue, run),
          on_result(std::move(callback)),
          conn(parse_url(options.url), give_up_of(options.give_up)),
          max_attempts(options.max_attempts == 0 ? 3 : options.max_attempts),
          max_job_size(options.max_job_size == 0 ? 65536 : options.max_job_size) {
        if (options.local_workers > 0 && options.worker_program.empty())
            throw Error("RedisPoolOptions::local_workers needs a worker_program");
        reap_script = conn.add_script(scripts::kReap);
        close_script = conn.add_script(scripts::kCloseRun);
        const auto open = conn.add_script(scripts::kOpenRun);
        conn.eval(open, {runs_key(queue), keys.alive()}, {run, std::to_string(kRunTtl.count())});
        started = Clock::now();
        next_beat = started + kBeatEvery;
        if (options.local_workers > 0) start_local_workers();
    }

    ~Impl() {
        local.request_stop();
        if (local.joinable()) local.join();
        try {
            delete_run();
        } catch (const std::exception&) {
            // Redis is gone: the keys expire on their own (kLeftoverTtl).
        }
    }

    // A bridge thread serving this run only, as `forkline worker` would.
    void start_local_workers() {
        RedisWorkerOptions w{.url = options.url,
                             .queue = queue,
                             .worker_program = options.worker_program,
                             .worker_args = options.worker_args,
                             .workers = options.local_workers,
                             .prefetch = options.local_prefetch,
                             .max_job_size = options.max_job_size,
                             .max_result_size = options.max_result_size,
                             .once = true,
                             .run_id = run,
                             .give_up = options.give_up};
        local = std::jthread([this, w](std::stop_token stop) {
            try {
                serve_redis(w, stop);
            } catch (const std::exception& e) {
                const std::lock_guard lock(local_error_mutex);
                local_error = e.what();
            }
        });
    }

    void check_local() {
        const std::lock_guard lock(local_error_mutex);
        if (!local_error.empty()) throw Error("local workers: " + local_error);
    }

    void flush() {
        if (batch.size() <= 2) return;
        push_jobs(batch);  // safe twice: a job sent twice runs twice, reported once
        batch.resize(2);
    }

    // LPUSH jobs …, with the TTL in the same round trip: a supervisor SIGKILLed before its
    // next beat leaves no list that never expires.
    void push_jobs(const Command& lpush) {
        conn.pipeline({lpush, {"PEXPIRE", keys.jobs(), std::to_string(kLeftoverTtl.count())}});
    }

    JobId submit(std::span<const std::byte> job) {
        if (closed) throw Error("submit() after wait() on a RedisPool");
        if (job.size() > max_job_size)
            throw Error("job of " + std::to_string(job.size()) + " bytes exceeds max_job_size (" +
                        std::to_string(max_job_size) + ")");
        if (batch.empty()) batch = {"LPUSH", keys.jobs()};
        const JobId id = submitted++;
        seen.push_back(0);
        batch.push_back(job_entry(id, 1, job));
        if (batch.size() >= kSubmitBatch + 2) flush();
        if (submitted - delivered > kBacklogLimit) pump(milliseconds(0));
        return id;
    }

    // Beats, reaps, and reads results for up to `timeout`; returns how many it delivered.
    std::size_t pump(milliseconds timeout) {
        check_local();
        if (!batch.empty()) flush();
        if (Clock::now() >= next_beat) beat();
        const auto until_beat = std::chrono::duration_cast<milliseconds>(next_beat - Clock::now());
        const auto block = std::clamp(std::min(timeout, until_beat), milliseconds(0), kBeatEvery);
        Command read{"XREAD", "COUNT", "1024"};
        if (block.count() > 0) read.insert(read.end(), {"BLOCK", std::to_string(block.count())});
        read.insert(read.end(), {"STREAMS", keys.results(), last_id});
        const auto reply = conn.run(read);
        if (reply.nil() || reply.size() == 0) return 0;
        const auto& entries = reply.at(0).element[1];
        std::size_t count = 0;
        for (std::size_t i = 0; i < entries->elements; ++i) {
            const auto& entry = *entries->element[i];
            last_id = str_of(*entry.element[0]);
            const auto& fields = *entry.element[1];  // r, result, r, result, …
            for (std::size_t f = 1; f < fields.elements; f += 2)
                count += take(str_of(*fields.element[f]));
        }
        // Read entries are not needed again (XREAD from last_id is safe to resend).
        if (entries->elements >= 256) conn.run({"XTRIM", keys.results(), "MINID", last_id});
        return count;
    }

    // One stream entry: a result (the first per job id counts) or a sentinel's answer.
    std::size_t take(std::string_view entry) {
        if (entry.starts_with('A')) {
            const std::string worker(entry.substr(1));
            if (pending.erase(worker) == 1) {
                ++summary.sentinels_answered;
            } else if (!pending.empty()) {
                // A worker reaped by mistake took a sentinel meant for another: send one more.
                push_jobs({"LPUSH", keys.jobs(), std::string(kSentinel)});
            }
            return 0;
        }
        const auto r = parse_result(entry);
        if (!r || r->id >= submitted || seen[r->id] != 0) return 0;  // a duplicate: dropped
        seen[r->id] = 1;
        ++delivered;
        count_result(summary, r->status);
        const JobResult result{r->id, r->status, r->attempts, r->elapsed,
                               std::as_bytes(std::span(r->data.data(), r->data.size()))};
        if (on_result) {
            on_result(result);
        } else {
            ready.push_back(owned_result(result));
        }
        return 1;
    }

    // The supervisor's heartbeat, the keys' leftover expiry, and the reaper.
    void beat() {
        next_beat = Clock::now() + kBeatEvery;
        const auto ttl = std::to_string(kLeftoverTtl.count());
        const auto replies = conn.pipeline({
            {"SET", keys.alive(), "1", "PX", std::to_string(kRunTtl.count()), "XX"},
            {"PEXPIRE", keys.jobs(), ttl},
            {"PEXPIRE", keys.results(), ttl},
            {"PEXPIRE", keys.workers(), ttl},
            {"PEXPIRE", keys.dead(), ttl},
            {"SMEMBERS", keys.dead()},
            {"SMEMBERS", keys.workers()},
        });
        if (replies[0].nil())
            throw Error("Redis lost run " + run +
                        ": its keys are gone (restarted without appendonly, flushed, or "
                        "unreachable longer than 15 s)");
        const auto& members = replies.back();
        std::vector<std::string> workers;
        for (std::size_t i = 0; i < members.size(); ++i)
            workers.emplace_back(str_of(members.at(i)));
        joined = std::max(joined, workers.size());
        // A worker that left on request (released its jobs) answers no sentinel.
        std::erase_if(pending, [&](const std::string& w) {
            return std::find(workers.begin(), workers.end(), w) == workers.end();
        });
        reap(workers, replies[replies.size() - 2]);
    }

    // Live workers whose heartbeat expired, and dead ones whose processing list is not
    // empty: the reap script requeues their jobs.
    void reap(const std::vector<std::string>& workers, const Reply& dead) {
        std::vector<Command> checks;
        for (const auto& w : workers) checks.push_back({"EXISTS", keys.heartbeat(w)});
        for (std::size_t i = 0; i < dead.size(); ++i)
            checks.push_back({"LLEN", keys.processing(std::string(str_of(dead.at(i))))});
        if (checks.empty()) return;
        const auto found = conn.pipeline(checks);
        for (std::size_t i = 0; i < checks.size(); ++i) {
            const bool live = i < workers.size();
            if (live ? found[i].integer() == 1 : found[i].integer() == 0) continue;
            const std::string w =
                live ? workers[i] : std::string(str_of(dead.at(i - workers.size())));
            const auto reaped =
                conn.eval(reap_script,
                          {keys.workers(), keys.heartbeat(w), keys.processing(w), keys.jobs(),
                           keys.results(), keys.dead()},
                          {w, std::to_string(max_attempts), std::to_string(kLeftoverTtl.count())});
            if (reaped.integer() != 1) continue;
            ++summary.worker_deaths;
            pending.erase(w);
        }
    }

    // Every result is in: close the run to new workers, one sentinel per registered one,
    // then wait for each answer (or death).
    void finish() {
        const auto members =
            conn.eval(close_script, {keys.done(), keys.workers(), runs_key(queue), keys.jobs()},
                      {run, std::to_string(kLeftoverTtl.count())});
        for (std::size_t i = 0; i < members.size(); ++i) {
            pending.emplace(str_of(members.at(i)));
            all_workers.emplace(str_of(members.at(i)));
        }
        if (!pending.empty()) {
            Command sentinels{"LPUSH", keys.jobs()};
            sentinels.insert(sentinels.end(), pending.size(), std::string(kSentinel));
            push_jobs(sentinels);
        }
        while (!pending.empty()) pump(kBeatEvery);
    }

    // The run's keys, gone (a worker still holding one sees the run over and leaves).
    void delete_run() {
        if (deleted) return;
        deleted = true;
        const auto members =
            conn.pipeline({{"SMEMBERS", keys.workers()}, {"SMEMBERS", keys.dead()}});
        Command del{"DEL",          keys.alive(),   keys.done(), keys.jobs(),
                    keys.results(), keys.workers(), keys.dead()};
        for (const auto& set : members) {
            for (std::size_t i = 0; i < set.size(); ++i) all_workers.emplace(str_of(set.at(i)));
        }
        for (const auto& w : all_workers) {
            del.push_back(keys.processing(w));
            del.push_back(keys.heartbeat(w));
        }
        conn.pipeline({del, {"ZREM", runs_key(queue), run}});
    }

    static milliseconds give_up_of(std::chrono::seconds s) {
        return s.count() == 0 ? milliseconds(15'000) : milliseconds(s);
    }

    static constexpr std::size_t kSubmitBatch = 512;
    static constexpr std::uint64_t kBacklogLimit = 1u << 20;  // results left unread at most
    static constexpr milliseconds kBeatEvery{500};
    static constexpr milliseconds kRunTtl{15'000};  // workers leave a run silent this long

    RedisPoolOptions options;
    std::string queue;
    std::string run;
    RunKeys keys;
    ResultCallback on_result;
    Connection conn;
    unsigned max_attempts;
    std::size_t max_job_size;
    std::size_t reap_script = 0;
    std::size_t close_script = 0;
    Command batch;  // LPUSH jobs e₁ e₂ … not yet sent
    std::uint64_t submitted = 0;
    std::uint64_t delivered = 0;
    std::vector<std::uint8_t> seen;  // by job id: its result was delivered
    std::deque<OwnedJobResult> ready;
    std::string last_id = "0";      // of the result stream
    std::set<std::string> pending;  // workers whose sentinel answer is awaited
    std::set<std::string> all_workers;
    std::size_t joined = 0;  // workers registered at the last beat, at most so far
    PoolSummary summary;
    Clock::time_point started;
    Clock::time_point next_beat;
    bool closed = false;
    bool deleted = false;
    std::mutex local_error_mutex;
    std::string local_error;  // what stopped the local workers' thread
    std::jthread local;       // last: joined first
};

RedisPool::RedisPool(RedisPoolOptions options, ResultCallback on_result)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(on_result))) {}
RedisPool::~RedisPool() = default;
RedisPool::RedisPool(RedisPool&&) noexcept = default;
RedisPool& RedisPool::operator=(RedisPool&&) noexcept = default;

JobId RedisPool::submit(std::span<const std::byte> job) {
    return impl_->submit(job);
}

std::size_t RedisPool::poll(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        const auto n = impl_->pump(std::max(left, milliseconds(0)));
        if (n > 0 || Clock::now() >= deadline) return n;
    }
}

std::uint64_t RedisPool::in_flight() const {
    return impl_->submitted - impl_->delivered;
}

std::optional<OwnedJobResult> RedisPool::next_result() {
    if (impl_->on_result)
        throw Error("RedisPool: next_result() needs a pool made without a result callback");
    while (impl_->ready.empty() && in_flight() > 0) impl_->pump(Impl::kBeatEvery);
    if (impl_->ready.empty()) return std::nullopt;
    auto result = std::move(impl_->ready.front());
    impl_->ready.pop_front();
    return result;
}

PoolSummary RedisPool::wait() {
    auto& impl = *impl_;
    while (in_flight() > 0) impl.pump(Impl::kBeatEvery);
    if (!impl.closed) {
        impl.closed = true;
        impl.finish();
        if (impl.local.joinable()) impl.local.join();
        impl.check_local();
        impl.delete_run();
    }
    impl.summary.submitted = impl.submitted;
    impl.summary.wall = Clock::now() - impl.started;
    return impl.summary;
}

const std::string& RedisPool::run_id() const {
    return impl_->run;
}

std::size_t RedisPool::workers_joined() const {
    return impl_->joined;
}

}  // namespace forkline
