// The worker side of the Redis transport: a bridge from a run's job list to a local Pool.
// Jobs move atomically into this worker's processing list (BLMOVE, or the claim script for
// a batch); each result is pushed and its job removed from processing in one script. A
// host that dies leaves its processing list to the supervisor's reaper (docs/redis.md).
#include <algorithm>
#include <bit>
#include <charconv>
#include <forkline/error.hpp>
#include <forkline/redis.hpp>
#include <set>
#include <thread>
#include <unordered_map>

#include "connection.hpp"
#include "entry.hpp"
#include "ids.hpp"
#include "keys.hpp"
#include "prefetch.hpp"
#include "scripts.hpp"

namespace forkline {

namespace {

using namespace redis;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// signal_workers() of the supervisor reaches the local workers within this (or a BLMOVE).
constexpr milliseconds kSignalsEvery{200};

struct Finished {
    std::string result;  // result entry
    std::string job;     // the job entry to remove from processing
};

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
        claim_ = conn_.add_script(scripts::kClaim);
        complete_ = conn_.add_script(scripts::kComplete);
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
                .max_result_size = o.max_result_size};
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
        auto next_signals = Clock::now() + kSignalsEvery;
        generation_ = conn_.generation();
        sentinel_ = false;
        auto next_beat = Clock::now() + kWorkerTtl / 3;
        auto next_claim = Clock::now();
        for (bool member = true; member && !stop_.stop_requested();) {
            if (Clock::now() >= next_beat) {
                next_beat = Clock::now() + kWorkerTtl / 3;
                member = beat() == 1;
                if (!member) break;
            }
            if (Clock::now() >= next_signals) {
                next_signals = Clock::now() + kSignalsEvery;
                forward_signals(keys);
            }
            const std::size_t prefetch = prefetch_.now();
            bool claimed = false;
            // Claims come in batches of a quarter of the prefetch at least: one round trip each.
            if (!sentinel_ && held_.size() + std::max<std::size_t>(1, prefetch / 4) <= prefetch &&
                Clock::now() >= next_claim) {
                claimed = claim(keys, prefetch);
                // Nothing to take while busy: look again a little later, not in a spin.
                if (!claimed && !held_.empty()) next_claim = Clock::now() + milliseconds(20);
            }
            if (conn_.generation() != generation_) reconcile(keys);
            if (!held_.empty()) gather(claimed);
            if (!finished_.empty()) push_results(keys);
            if (sentinel_ && held_.empty()) {
                conn_.eval(complete_, {keys.alive(), keys.processing(me), keys.results()},
                           {leftover_ttl(), answer_entry(me), std::string(kSentinel)});
                break;
            }
        }
        if (stop_.stop_requested()) {
            // Asked to stop: the jobs held go back to the queue now (the local pool's
            // processes die with it), not after a heartbeat expiry.
            conn_.eval(release_, {keys.workers(), keys.processing(me), keys.jobs()},
                       {me, leftover_ttl()});
            held_.clear();
            finished_.clear();
        }
        drain(keys);
        keys_ = nullptr;
        return true;
    }

    // signal_workers() of the run's supervisor: the new entries of its signals list go to
    // the local pool's workers.
    void forward_signals(const RunKeys& keys) {
        const auto list =
            conn_.run({"LRANGE", keys.signals(), std::to_string(signals_seen_), "-1"});
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

    // Takes up to the free prefetch room; blocks (BLMOVE, 0.3 s) only when idle.
    bool claim(const RunKeys& keys, std::size_t prefetch) {
        std::vector<std::string> entries;
        if (held_.empty()) {
            // The PEXPIRE in the same round trip: a list BLMOVE creates expires too.
            const auto one = conn_.pipeline(
                {{"BLMOVE", keys.jobs(), keys.processing(me_), "RIGHT", "LEFT", "0.3"},
                 {"PEXPIRE", keys.processing(me_), leftover_ttl()}});
            if (one.front().nil()) return false;
            entries.emplace_back(one.front().str());
        }
        const auto room =
            std::min<std::size_t>(prefetch - held_.size() - entries.size(), scripts::kMaxBatch);
        if (room > 0 && (entries.empty() || entries.back() != kSentinel)) {
            const auto more =
                conn_.eval(claim_, {keys.jobs(), keys.processing(me_), keys.workers()},
                           {me_, std::to_string(room), leftover_ttl()});
            for (std::size_t i = 0; i < more.size(); ++i) entries.emplace_back(str_of(more.at(i)));
        }
        for (auto& entry : entries) start(std::move(entry));
        return !entries.empty();
    }

    void start(std::string entry) {
        if (entry == kSentinel) {
            sentinel_ = true;
            return;
        }
        const auto job = parse_job(entry);
        if (!job) return;  // not ours to understand: dropped with the processing list
        if (job->payload.size() > max_job_size_) {  // refused here, reported, not fatal
            const std::string why = "job of " + std::to_string(job->payload.size()) +
                                    " bytes exceeds the worker's max_job_size";
            finished_.push_back(
                {result_entry({job->id, job->attempt, JobStatus::failed, {}, why}), entry});
            return;
        }
        const auto id = pool_.submit(std::as_bytes(std::span(job->payload)));
        held_.emplace(id, std::move(entry));
    }

    // After a reconnection a claim's reply may have been lost: the processing list is the
    // truth, so start what it holds that we do not.
    void reconcile(const RunKeys& keys) {
        generation_ = conn_.generation();
        const auto list = conn_.run({"LRANGE", keys.processing(me_), "0", "-1"});
        std::multiset<std::string_view> known;
        for (const auto& [id, entry] : held_) known.insert(entry);
        std::vector<std::string> missing;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const auto entry = str_of(list.at(i));
            if (const auto it = known.find(entry); it != known.end()) {
                known.erase(it);
            } else if (entry == kSentinel ? !sentinel_ : true) {
                missing.emplace_back(entry);
            }
        }
        for (auto& entry : missing) start(std::move(entry));
    }

    void finished(const JobResult& r) {
        const auto it = held_.find(r.id);
        if (it == held_.end()) return;
        const auto job = parse_job(it->second);
        finished_.push_back(
            {result_entry(
                 {job->id, job->attempt - 1 + r.attempts, r.status, r.elapsed,
                  std::string_view(reinterpret_cast<const char*>(r.data.data()), r.data.size()),
                  r.worker_exit, r.exception_type}),
             std::move(it->second)});
        held_.erase(it);
        prefetch_.finished(1);
    }

    // Local results, gathered into one batch (all that is held, or what finished within
    // 2 ms): each batch costs one round trip to Redis.
    void gather(bool claimed) {
        pool_.poll(claimed ? milliseconds(0) : milliseconds(20));
        const auto until = Clock::now() + milliseconds(2);
        while (!held_.empty() && Clock::now() < until) pool_.poll(milliseconds(1));
    }

    // Results out, their jobs off the processing list: one script call per kMaxBatch
    // (safe to resend).
    void push_results(const RunKeys& keys) {
        for (std::size_t start = 0; start < finished_.size(); start += scripts::kMaxBatch) {
            std::vector<std::string> args{leftover_ttl()};
            const auto end = std::min<std::size_t>(finished_.size(), start + scripts::kMaxBatch);
            for (std::size_t i = start; i < end; ++i) {
                args.push_back(std::move(finished_[i].result));
                args.push_back(std::move(finished_[i].job));
            }
            conn_.eval(complete_, {keys.alive(), keys.processing(me_), keys.results()}, args);
        }
        finished_.clear();
    }

    // Leaving a run: the local jobs still running finish, their results go out.
    void drain(const RunKeys& keys) {
        while (!held_.empty() && !stop_.stop_requested()) {
            pool_.poll(milliseconds(100));
            if (!finished_.empty()) push_results(keys);
        }
        held_.clear();
        finished_.clear();
    }

    const RedisWorkerOptions& options_;
    std::string queue_;
    std::stop_token stop_;
    Connection conn_;
    Prefetch prefetch_;
    std::size_t signals_seen_ = 0;  // of the run's signals list, forwarded or not ours
    std::size_t max_job_size_;
    Pool pool_;
    std::size_t register_ = 0, heartbeat_ = 0, claim_ = 0, complete_ = 0, release_ = 0;
    const RunKeys* keys_ = nullptr;  // of the run being served
    std::string me_;                 // this worker's id in that run
    std::uint64_t generation_ = 0;   // conn_'s, when the processing list was last known
    bool sentinel_ = false;          // took the run's sentinel: finish, answer, leave
    std::unordered_map<JobId, std::string> held_;  // local job → its entry in processing
    std::vector<Finished> finished_;               // results not pushed yet
};

}  // namespace

void serve_redis(const RedisWorkerOptions& options, std::stop_token stop) {
    Bridge bridge(options, std::move(stop));
    bridge.serve();
}

}  // namespace forkline
