// The worker side of the Redis transport: a bridge from a run's job list to a local Pool.
// Jobs move atomically into this worker's processing list (BLMOVE when idle); then one
// script call per batch pushes the results, trims the done jobs off processing and claims
// the next jobs (scripts::kExchange). A host that dies leaves its processing list to the
// supervisor's reaper (docs/redis.md).
#include <algorithm>
#include <bit>
#include <charconv>
#include <forkline/error.hpp>
#include <forkline/redis.hpp>
#include <iterator>
#include <thread>
#include <unordered_map>

#include "connection.hpp"
#include "entry.hpp"
#include "ids.hpp"
#include "keys.hpp"
#include "prefetch.hpp"
#include "processing_list.hpp"
#include "scripts.hpp"

namespace forkline {

namespace {

using namespace redis;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// signal_workers() of the supervisor reaches the local workers within this (or a BLMOVE).
constexpr milliseconds kSignalsEvery{200};

class Bridge {
  public:
    Bridge(const RedisWorkerOptions& options, std::stop_token stop)
        : options_(options),
          queue_(checked_queue_name(options.queue)),
          stop_(std::move(stop)),
          conn_(parse_url(options.url),
                options.give_up.count() == 0 ? milliseconds(kDefaultRedisGiveUp)
                                             : milliseconds(options.give_up),
                options.connect_timeout.count() == 0 ? kDefaultRedisConnectTimeout
                                                     : options.connect_timeout),
          prefetch_(options, options.workers != 0 ? options.workers : available_cores()),
          max_job_size_(options.max_job_size != 0 ? options.max_job_size : kDefaultMaxJobSize),
          pool_(pool_options(options, prefetch_.most()),
                [this](const JobResult& r) { finished(r); }) {
        register_ = conn_.add_script(scripts::kRegister);
        heartbeat_ = conn_.add_script(scripts::kHeartbeat);
        exchange_ = conn_.add_script(scripts::kExchange);
        release_ = conn_.add_script(scripts::kRelease);
    }

    void serve() {
        while (!stop_.stop_requested()) {
            const auto run = options_.run_id.empty() ? find_run() : options_.run_id;
            if (run.empty()) {
                std::this_thread::sleep_for(milliseconds(200));  // no run open yet
                continue;
            }
            const bool served = serve_run(run);
            if (options_.once || !options_.run_id.empty()) return;
            if (!served) std::this_thread::sleep_for(milliseconds(200));
        }
    }

  private:
    // Slots for the prefetch only: the segment is slots × (job + result) bytes, all touched.
    static PoolOptions pool_options(const RedisWorkerOptions& o, std::size_t prefetch) {
        if (o.worker_program.empty()) throw Error("serve_redis: no worker_program");
        return {.worker_program = o.worker_program,
                .worker_args = o.worker_args,
                .workers = o.workers,
                .queue_slots = std::bit_ceil(std::max<std::size_t>(prefetch, 16)),
                .max_job_size = o.max_job_size,
                .max_result_size = o.max_result_size,
                .adopt_orphans = o.adopt_orphans,
                .guard_jobs = o.guard_jobs};
    }

    // The oldest open run of the queue; runs whose supervisor stopped beating are pruned.
    std::string find_run() {
        const auto runs = conn_.run({"ZRANGE", runs_key(queue_), "0", "-1"});
        std::vector<Command> checks;
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const RunKeys keys(queue_, std::string(str_of(runs.at(i))));
            checks.push_back({"EXISTS", keys.alive()});
            checks.push_back({"EXISTS", keys.done()});
        }
        if (checks.empty()) return {};
        const auto exists = conn_.pipeline(checks);
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const std::string run(str_of(runs.at(i)));
            if (exists[2 * i].integer() == 0) {
                conn_.run({"ZREM", runs_key(queue_), run});
            } else if (exists[2 * i + 1].integer() == 0) {
                return run;
            }
        }
        return {};
    }

    // Serves one run until its sentinel, its end, or this worker being reaped.
    // False if the run did not take this worker.
    bool serve_run(const std::string& run) {
        const RunKeys keys(queue_, run);
        const std::string me = new_worker_id();
        if (conn_
                .eval(register_, {keys.alive(), keys.done(), keys.workers(), keys.heartbeat(me)},
                      {me, std::to_string(kWorkerTtl.count()), leftover_ttl()})
                .integer() != 1)
            return false;
        keys_ = &keys;
        me_ = me;
        // Signals sent to the run before this worker joined are not for it.
        signals_seen_ = static_cast<std::size_t>(conn_.run({"LLEN", keys.signals()}).integer());
        generation_ = conn_.generation();
        sentinel_ = false;
        processing_ = ProcessingList();
        auto next_beat = Clock::now() + kWorkerTtl / 3;
        auto next_signals = Clock::now() + kSignalsEvery;
        auto next_claim = Clock::now();
        for (bool member = true; member && !stop_.stop_requested();) {
            if (Clock::now() >= next_beat) {
                next_beat = Clock::now() + kWorkerTtl / 3;
                member = beat() == 1;
                if (!member) break;
            }
            if (Clock::now() >= next_signals) {
                next_signals = Clock::now() + kSignalsEvery;
                forward_signals();
            }
            const std::size_t prefetch = prefetch_.now();
            // Claims come in batches of a quarter of the prefetch at least: one round trip each.
            std::size_t room = 0;
            if (!sentinel_ && Clock::now() >= next_claim &&
                held_.size() + std::max<std::size_t>(1, prefetch / 4) <= prefetch)
                room = std::min<std::size_t>(prefetch - held_.size(), scripts::kMaxBatch);
            bool claimed = false;
            if (room > 0 && held_.empty() && results_ == 0) {
                claimed = wait_for_job();  // idle: block (BLMOVE) for the first one
                room = claimed && !sentinel_ ? room - 1 : 0;
            }
            if (room > 0 || results_ > 0) {
                const auto got = exchange(room);
                if (got < 0) member = false;
                claimed = claimed || got > 0;
                // Nothing to take while busy: look again a little later, not in a spin.
                if (room > 0 && got == 0 && !held_.empty())
                    next_claim = Clock::now() + milliseconds(20);
            }
            if (conn_.generation() != generation_) reconcile();
            if (!held_.empty()) gather(claimed);
            if (sentinel_ && held_.empty()) {
                append_to_batch(batch_for_more(), answer_entry(me));
                ++results_;
                processing_.done(sentinel_seq_);
                exchange(0);
                break;
            }
        }
        if (stop_.stop_requested()) {
            // Asked to stop: the results that are in go out, the jobs held go back to the
            // queue now (the local pool's processes die with it), not after a heartbeat
            // expiry.
            exchange(0);
            conn_.eval(release_, {keys.workers(), keys.processing(me), keys.jobs()},
                       {me, leftover_ttl()});
            held_.clear();
            forget_results();
        }
        drain();
        keys_ = nullptr;
        return true;
    }

    // signal_workers() of the run's supervisor: the new entries of its signals list go to
    // the local pool's workers.
    void forward_signals() {
        const auto list =
            conn_.run({"LRANGE", keys_->signals(), std::to_string(signals_seen_), "-1"});
        for (std::size_t i = 0; i < list.size(); ++i) {
            ++signals_seen_;
            int signal = 0;
            const auto text = str_of(list.at(i));
            const auto [end, error] =
                std::from_chars(text.data(), text.data() + text.size(), signal);
            if (error == std::errc{} && signal > 0) pool_.signal_workers(signal);
        }
    }

    static std::string leftover_ttl() { return std::to_string(kLeftoverTtl.count()); }

    // 1: beat; 0: reaped (the supervisor requeued our jobs); -1: the run is over.
    long long beat() {
        return conn_
            .eval(heartbeat_,
                  {keys_->alive(), keys_->workers(), keys_->heartbeat(me_), keys_->processing(me_)},
                  {me_, std::to_string(kWorkerTtl.count()), leftover_ttl()})
            .integer();
    }

    // Idle: waits (BLMOVE, 0.3 s) for one job. The PEXPIRE in the same round trip: a list
    // BLMOVE creates expires too.
    bool wait_for_job() {
        const auto one = conn_.pipeline(
            {{"BLMOVE", keys_->jobs(), keys_->processing(me_), "RIGHT", "LEFT", "0.3"},
             {"PEXPIRE", keys_->processing(me_), leftover_ttl()}});
        if (one.front().nil()) return false;
        start(one.front().str());
        return true;
    }

    // One round trip: the results out, the done entries off processing, up to `room` jobs
    // in. Returns how many entries it claimed, or -1 if the run is over or reaped us.
    long long exchange(std::size_t room) {
        if (batches_.empty()) batches_.emplace_back();
        for (std::size_t i = 0; i < batches_.size(); ++i) {
            // The claim and the trim ride on the last batch.
            const bool last = i + 1 == batches_.size();
            const auto trim = processing_.trimmable(last ? kMaxTrim : 0);
            const auto reply =
                conn_.eval(exchange_,
                           {keys_->alive(), keys_->processing(me_), keys_->results(), keys_->jobs(),
                            keys_->workers()},
                           {me_, leftover_ttl(), std::to_string(last ? room : 0), batches_[i],
                            std::to_string(trim.count), trim.oldest, trim.newest});
            processing_.trimmed(trim.count);
            if (reply.size() == 0 || reply.at(0).integer == 0) {  // over or reaped
                forget_results();
                return -1;
            }
            if (!last) continue;
            forget_results();
            for (std::size_t j = 1; j < reply.size(); ++j) start(str_of(reply.at(j)));
            return static_cast<long long>(reply.size()) - 1;
        }
        return 0;
    }

    void start(std::string_view entry) { take(processing_.add(entry), entry); }

    // An entry of our processing list (at `seq`) to the local pool.
    void take(ProcessingList::Seq seq, std::string_view entry) {
        if (entry == kSentinel) {
            sentinel_ = true;
            sentinel_seq_ = seq;
            return;
        }
        const auto job = parse_job(entry);
        if (!job) {  // not ours to understand: dropped
            processing_.done(seq);
            return;
        }
        if (job->payload.size() > max_job_size_) {  // refused here, reported, not fatal
            const std::string why = "job of " + std::to_string(job->payload.size()) +
                                    " bytes exceeds the worker's max_job_size";
            append_to_batch(batch_for_more(),
                            ResultEntry{job->id, job->attempt, JobStatus::failed, {}, why});
            ++results_;
            processing_.done(seq);
            return;
        }
        const auto id = pool_.submit(std::as_bytes(std::span(job->payload)));
        held_.emplace(id, Held{seq, job->id, job->attempt});
    }

    // After a reconnection a claim's reply may have been lost: the processing list is the
    // truth, so start what it holds that we do not.
    void reconcile() {
        generation_ = conn_.generation();
        const auto reply = conn_.run({"LRANGE", keys_->processing(me_), "0", "-1"});
        std::vector<std::string> list;
        for (std::size_t i = 0; i < reply.size(); ++i) list.emplace_back(str_of(reply.at(i)));
        auto found = processing_.reconcile(list);
        for (auto& [id, held] : held_) {
            if (const auto it = found.moved.find(held.seq); it != found.moved.end())
                held.seq = it->second;
        }
        if (const auto it = found.moved.find(sentinel_seq_); sentinel_ && it != found.moved.end())
            sentinel_seq_ = it->second;
        for (auto& [seq, entry] : found.unknown) {
            if (entry == kSentinel && sentinel_) {
                processing_.done(seq);  // the one we hold already
                continue;
            }
            take(seq, entry);
        }
    }

    void finished(const JobResult& r) {
        const auto it = held_.find(r.id);
        if (it == held_.end()) return;
        const auto& held = it->second;
        append_to_batch(batch_for_more(),
                        ResultEntry{held.job, held.attempt - 1 + r.attempts, r.status, r.elapsed,
                                    std::string_view(reinterpret_cast<const char*>(r.data.data()),
                                                     r.data.size()),
                                    r.worker_exit, r.exception_type});
        ++results_;
        processing_.done(held.seq);
        held_.erase(it);
        prefetch_.finished(1);
    }

    // The batch to append the next result to: a new one past kBatchBytes.
    std::string& batch_for_more() {
        if (batches_.empty() || batches_.back().size() >= kBatchBytes) batches_.emplace_back();
        return batches_.back();
    }

    void forget_results() {
        batches_.clear();
        results_ = 0;
    }

    // Local results, gathered into one batch (what is ready, or what finished within
    // 1 ms): each batch costs one round trip to Redis.
    void gather(bool claimed) {
        pool_.poll(claimed || results_ > 0 ? milliseconds(0) : milliseconds(20));
        const auto until = Clock::now() + milliseconds(1);
        while (!held_.empty() && results_ < scripts::kMaxBatch && Clock::now() < until)
            pool_.poll(milliseconds(1));
    }

    // Leaving a run: the local jobs still running finish, their results go out.
    void drain() {
        while (!held_.empty() && !stop_.stop_requested()) {
            pool_.poll(milliseconds(100));
            if (results_ > 0) exchange(0);
        }
        if (results_ > 0) exchange(0);
        held_.clear();
        forget_results();
    }

    struct Held {  // a job the local pool runs
        ProcessingList::Seq seq;
        JobId job;  // the supervisor's id
        unsigned attempt;
    };
    static constexpr std::size_t kMaxTrim = 4096;         // done entries trimmed per call at most
    static constexpr std::size_t kBatchBytes = 1u << 20;  // results per call, about

    const RedisWorkerOptions& options_;
    std::string queue_;
    std::stop_token stop_;
    Connection conn_;
    Prefetch prefetch_;
    std::size_t max_job_size_;
    Pool pool_;
    std::size_t register_ = 0, heartbeat_ = 0, exchange_ = 0, release_ = 0;
    const RunKeys* keys_ = nullptr;  // of the run being served
    std::string me_;                 // this worker's id in that run
    std::uint64_t generation_ = 0;   // conn_'s, when the processing list was last known
    bool sentinel_ = false;          // took the run's sentinel: finish, answer, leave
    ProcessingList::Seq sentinel_seq_ = 0;
    std::size_t signals_seen_ = 0;  // of the run's signals list, forwarded or not ours
    ProcessingList processing_;
    std::unordered_map<JobId, Held> held_;  // local job id → what it is
    std::vector<std::string> batches_;      // result batches not pushed yet (append_to_batch)
    std::size_t results_ = 0;               // results in them
};

}  // namespace

void serve_redis(const RedisWorkerOptions& options, std::stop_token stop) {
    Bridge bridge(options, std::move(stop));
    bridge.serve();
}

}  // namespace forkline
