// The supervisor side of the Redis transport: submit in batches, collect and deduplicate
// results, then the sentinels (docs/redis.md). The heartbeat, the reaper and the reading of
// the result stream run on the RunMonitor's thread.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <deque>
#include <forkline/error.hpp>
#include <forkline/redis.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "connection.hpp"
#include "deadline.hpp"
#include "entry.hpp"
#include "ids.hpp"
#include "keys.hpp"
#include "result_summary.hpp"
#include "run_monitor.hpp"
#include "scripts.hpp"

namespace forkline {

using namespace redis;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

milliseconds or_default(milliseconds value, milliseconds fallback) {
    return value.count() == 0 ? fallback : value;
}

}  // namespace

struct RedisPool::Impl {
    Impl(RedisPoolOptions o, ResultCallback callback)
        : options(std::move(o)),
          queue(checked_queue_name(options.queue)),
          run(random_hex(8)),
          keys(queue, run),
          on_result(std::move(callback)),
          give_up(or_default(options.give_up, kDefaultRedisGiveUp)),
          connect_timeout(or_default(options.connect_timeout, kDefaultRedisConnectTimeout)),
          conn(parse_url(options.url), give_up, connect_timeout),
          max_attempts(options.max_attempts == 0 ? kDefaultMaxAttempts : options.max_attempts),
          max_job_size(options.max_job_size == 0 ? kDefaultMaxJobSize : options.max_job_size) {
        if (options.workers > 0 && options.worker_program.empty())
            throw Error("RedisPoolOptions::workers needs a worker_program");
        close_script = conn.add_script(scripts::kCloseRun);
        withdraw_script = conn.add_script(scripts::kWithdrawQueued);
        const auto open = conn.add_script(scripts::kOpenRun);
        conn.eval(open, {runs_key(queue), keys.alive()}, {run, std::to_string(kRunTtl.count())});
        started = Clock::now();
        monitor = std::make_unique<RunMonitor>(RunMonitor::Settings{
            parse_url(options.url), give_up, connect_timeout, queue, run, max_attempts,
            or_default(options.no_workers_warning, kDefaultNoWorkersWarning)});
        if (options.workers > 0) start_local_workers();
    }

    ~Impl() {
        local.request_stop();
        if (local.joinable()) local.join();
        monitor.reset();
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
                             .workers = options.workers,
                             .prefetch = options.prefetch,
                             .max_job_size = options.max_job_size,
                             .max_result_size = options.max_result_size,
                             .once = true,
                             .run_id = run,
                             .give_up = options.give_up,
                             .connect_timeout = options.connect_timeout};
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
        if (unsent == 0) return;
        // LPUSH jobs e₁ e₂ …, with the TTL in the same round trip (as push_jobs). Safe to
        // send twice: a job sent twice runs twice, reported once.
        RespCommands head, tail;
        head.add(2 + unsent).arg("LPUSH").arg(keys.jobs());
        tail.add(3).arg("PEXPIRE").arg(keys.jobs()).arg(std::to_string(kLeftoverTtl.count()));
        conn.pipeline({head.text(), batch.text(), tail.text()}, 2);
        batch.clear();
        unsent = 0;
    }

    // LPUSH jobs …, with the TTL in the same round trip: a supervisor SIGKILLed before its
    // next beat leaves no list that never expires.
    void push_jobs(const Command& lpush) {
        conn.pipeline({lpush, {"PEXPIRE", keys.jobs(), std::to_string(kLeftoverTtl.count())}});
    }

    bool backlog_full() const { return !delivering && submitted - delivered > kBacklogLimit; }

    JobId submit(std::span<const std::byte> job) {
        if (closed) throw Error("submit() after close() or wait() on a RedisPool");
        if (job.size() > max_job_size)
            throw Error("job of " + std::to_string(job.size()) + " bytes exceeds max_job_size (" +
                        std::to_string(max_job_size) + ")");
        const JobId id = submitted++;
        seen.push_back(0);
        char buffer[48];
        const auto header = job_header(id, 1, buffer);
        auto& text = batch.open_arg(header.size() + job.size());
        text.append(header);
        text.append(reinterpret_cast<const char*>(job.data()), job.size());
        batch.end_arg();
        ++unsent;
        // Jobs wait in the batch only while at least twice as many are out in Redis: their
        // results make fd() readable and the next poll() sends the rest. So a batch grows
        // 1, 1, 2, 4 … up to kSubmitBatch, and the first job leaves at once.
        const std::uint64_t out = submitted - delivered - unsent;
        if (unsent >= std::clamp<std::uint64_t>(out / 2, 1, kSubmitBatch)) flush();
        monitor->set_waiting_jobs(true);
        return id;
    }

    // Sends the batch and delivers what the monitor found; if nothing, waits up to
    // `timeout` for it. Returns how many results it delivered.
    std::size_t pump(milliseconds timeout) {
        check_local();
        flush();
        std::size_t count = take_news();
        if (count == 0 && timeout.count() > 0) {
            monitor->wait(timeout);
            count = take_news();
        }
        monitor->set_waiting_jobs(submitted > delivered);
        return count;
    }

    std::size_t take_news() {
        auto news = monitor->take();
        if (!news.error.empty()) throw Error(news.error);
        for (const auto& w : news.reaped) {
            ++summary.worker_deaths;
            pending.erase(w);
        }
        if (news.members_known) {
            // A worker that left on request (released its jobs) answers no sentinel.
            std::erase_if(pending, [&](const std::string& w) {
                return std::find(news.members.begin(), news.members.end(), w) == news.members.end();
            });
        }
        if (news.no_workers) warn_no_workers();
        if (inbox_at == inbox.size()) {
            inbox = std::move(news.results);
            inbox_at = 0;
        } else {
            inbox.append(news.results);
        }
        // One entry at a time, marked taken before its callback runs: a callback that
        // throws leaves the rest for the next call.
        std::size_t count = 0;
        while (inbox_at < inbox.size()) {
            std::string_view rest(inbox), entry;
            rest.remove_prefix(inbox_at);
            const auto before = rest.size();
            if (!next_in_batch(rest, entry)) {  // not possible: the monitor checked it
                inbox_at = inbox.size();
                break;
            }
            inbox_at += before - rest.size();
            delivering = true;  // a callback's submit() must not pump: `entry` is in inbox
            try {
                count += take(entry);
            } catch (...) {
                delivering = false;
                throw;
            }
            delivering = false;
        }
        return count;
    }

    void warn_no_workers() {
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
            or_default(options.no_workers_warning, kDefaultNoWorkersWarning));
        const std::string message = "no worker has joined queue '" + queue + "' at " +
                                    redis_url_without_password(options.url) + " in " +
                                    std::to_string(seconds.count()) + " s; jobs are waiting";
        if (options.on_warning) {
            options.on_warning(message);
        } else {
            std::fprintf(stderr,
                         "forkline: warning: %s (start one with: forkline worker --redis URL "
                         "--queue %s PROGRAM)\n",
                         message.c_str(), queue.c_str());
        }
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
        const JobResult result{r->id,
                               r->status,
                               r->attempts,
                               r->elapsed,
                               std::as_bytes(std::span(r->data.data(), r->data.size())),
                               r->worker_exit,
                               r->exception_type};
        if (on_result) {
            on_result(result);
        } else {
            ready.push_back(owned_result(result));
        }
        return 1;
    }

    // Every result is in: close the run to new workers, one sentinel per registered one.
    void send_sentinels() {
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
        monitor->sentinels_sent();
        sentinels_sent = true;
    }

    // The run until `deadline`: every result, then every sentinel's answer. False if the
    // deadline came first.
    bool finish_by(Clock::time_point deadline) {
        const auto left = [&] {
            return std::max(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()),
                            milliseconds(0));
        };
        while (in_flight() > 0) {
            if (Clock::now() >= deadline) return false;
            pump(std::min(left(), kBeatEvery));
        }
        closed = true;
        if (over) return true;
        if (!sentinels_sent) send_sentinels();
        while (!pending.empty()) {
            if (Clock::now() >= deadline) return false;
            pump(std::min(left(), kBeatEvery));
        }
        if (local.joinable()) local.join();
        check_local();
        monitor->stop();  // before the keys go: it would take that for a lost run
        delete_run();
        over = true;
        return true;
    }

    PoolSummary summary_now() {
        summary.submitted = submitted;
        summary.wall = Clock::now() - started;
        return summary;
    }

    std::uint64_t in_flight() const { return submitted - delivered; }

    // A run-level request each worker host forwards to its local pool (serve_redis).
    void signal_workers(int signal) {
        const auto ttl = std::to_string(kLeftoverTtl.count());
        conn.pipeline(
            {{"RPUSH", keys.signals(), std::to_string(signal)}, {"PEXPIRE", keys.signals(), ttl}});
    }

    // The jobs still queued in Redis, out of it; their results (cancelled, 0 attempts)
    // wait in the inbox for the next take_news().
    std::vector<JobId> withdraw_queued() {
        if (delivering) throw Error("RedisPool: withdraw_queued() inside a result callback");
        flush();
        const auto ids =
            conn.eval(withdraw_script, {keys.jobs()}, {std::to_string(kLeftoverTtl.count())});
        if (inbox_at == inbox.size()) {
            inbox.clear();
            inbox_at = 0;
        }
        std::vector<JobId> withdrawn;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const auto text = str_of(ids.at(i));
            JobId id = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
            if (error != std::errc{} || id >= submitted || seen[id] != 0) continue;
            append_to_batch(inbox, ResultEntry{.id = id,
                                               .attempts = 0,
                                               .status = JobStatus::cancelled,
                                               .elapsed = {},
                                               .data = {}});
            withdrawn.push_back(id);
        }
        return withdrawn;
    }

    // The run's keys, gone (a worker still holding one sees the run over and leaves).
    void delete_run() {
        if (deleted) return;
        deleted = true;
        const auto members =
            conn.pipeline({{"SMEMBERS", keys.workers()}, {"SMEMBERS", keys.dead()}});
        Command del{"DEL",          keys.alive(),   keys.done(), keys.jobs(),
                    keys.results(), keys.workers(), keys.dead(), keys.signals()};
        for (const auto& set : members) {
            for (std::size_t i = 0; i < set.size(); ++i) all_workers.emplace(str_of(set.at(i)));
        }
        for (const auto& w : all_workers) {
            del.push_back(keys.processing(w));
            del.push_back(keys.heartbeat(w));
        }
        conn.pipeline({del, {"ZREM", runs_key(queue), run}});
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
    milliseconds give_up;
    milliseconds connect_timeout;
    Connection conn;
    unsigned max_attempts;
    std::size_t max_job_size;
    std::size_t close_script = 0;
    std::size_t withdraw_script = 0;
    RespCommands batch;        // the arguments e₁ e₂ … of an LPUSH jobs not yet sent
    std::uint64_t unsent = 0;  // how many
    std::uint64_t submitted = 0;
    std::uint64_t delivered = 0;
    std::vector<std::uint8_t> seen;  // by job id: its result was delivered
    std::deque<OwnedJobResult> ready;
    std::string inbox;  // results read by the monitor (a batch), taken up to inbox_at
    std::size_t inbox_at = 0;
    bool delivering = false;        // inside a result callback
    std::set<std::string> pending;  // workers whose sentinel answer is awaited
    std::set<std::string> all_workers;
    PoolSummary summary;
    Clock::time_point started;
    bool closed = false;          // close(): no more jobs
    bool sentinels_sent = false;  // every result was in; the run is closed to new workers
    bool over = false;            // every sentinel answered, keys deleted
    bool deleted = false;
    std::unique_ptr<RunMonitor> monitor;
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
    while (impl_->backlog_full()) impl_->pump(Impl::kBeatEvery);
    return impl_->submit(job);
}

std::optional<JobId> RedisPool::try_submit(std::span<const std::byte> job) {
    if (impl_->backlog_full()) impl_->pump(milliseconds(0));
    if (impl_->backlog_full()) return std::nullopt;
    return impl_->submit(job);
}

std::size_t RedisPool::poll(std::chrono::milliseconds timeout) {
    const auto deadline = deadline_after(timeout);
    for (;;) {
        // As Pool::poll(): with nothing in flight there is nothing to wait for.
        const auto left = in_flight() == 0
                              ? milliseconds(0)
                              : std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        const auto n = impl_->pump(std::max(left, milliseconds(0)));
        if (n > 0 || in_flight() == 0 || Clock::now() >= deadline) return n;
    }
}

std::uint64_t RedisPool::in_flight() const {
    return impl_->in_flight();
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

int RedisPool::fd() {
    return impl_->monitor->fd();
}

void RedisPool::signal_workers(int signal) {
    impl_->signal_workers(signal);
}

std::vector<JobId> RedisPool::withdraw_queued() {
    return impl_->withdraw_queued();
}

void RedisPool::close() {
    impl_->flush();
    impl_->closed = true;
}

PoolSummary RedisPool::wait() {
    impl_->finish_by(Clock::time_point::max());
    return impl_->summary_now();
}

std::optional<PoolSummary> RedisPool::wait_for(std::chrono::milliseconds timeout) {
    if (!impl_->finish_by(deadline_after(timeout))) return std::nullopt;
    return impl_->summary_now();
}

const std::string& RedisPool::run_id() const {
    return impl_->run;
}

std::size_t RedisPool::workers_joined() const {
    return impl_->monitor->joined();
}

}  // namespace forkline
