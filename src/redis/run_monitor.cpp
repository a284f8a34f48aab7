#include "run_monitor.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <forkline/error.hpp>

#include "deadline.hpp"
#include "entry.hpp"
#include "os_error.hpp"
#include "scripts.hpp"

namespace forkline::redis {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kBeatEvery{500};
constexpr milliseconds kRunTtl{15'000};  // workers leave a run silent this long
// A stop request is seen within this (the longest XREAD block).
constexpr milliseconds kLongestBlock{100};
// Bytes of results read and not yet taken, at most: past it the thread only beats.
constexpr std::size_t kInboxLimit = 64u << 20;

}  // namespace

RunMonitor::RunMonitor(Settings settings)
    : settings_(std::move(settings)),
      keys_(settings_.queue, settings_.run),
      conn_(settings_.url, settings_.give_up, settings_.connect_timeout),
      reap_script_(conn_.add_script(scripts::kReap)),
      wakeup_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      started_(Clock::now()),
      next_beat_(started_) {
    if (!wakeup_.valid()) throw_os_error("eventfd", errno);
    thread_ = std::jthread([this](std::stop_token stop) { loop(stop); });
}

RunMonitor::~RunMonitor() {
    stop();
}

void RunMonitor::stop() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
}

void RunMonitor::loop(std::stop_token stop) {
    try {
        while (!stop.stop_requested()) {
            if (Clock::now() >= next_beat_) beat();
            const auto until_beat =
                std::chrono::duration_cast<milliseconds>(next_beat_ - Clock::now());
            const auto block = std::clamp(until_beat, milliseconds(1), kLongestBlock);
            bool full = false;
            {
                const std::lock_guard lock(mutex_);
                full = inbox_.results.size() >= kInboxLimit;
            }
            if (full) {
                std::this_thread::sleep_for(block);
            } else {
                read_results(block);
            }
        }
    } catch (const std::exception& e) {
        {
            const std::lock_guard lock(mutex_);
            inbox_.error = e.what();
        }
        notify();
    }
}

void RunMonitor::notify() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wakeup_.get(), &one, sizeof one);
}

RunMonitor::News RunMonitor::take() {
    std::uint64_t count = 0;
    // Drained before the inbox is taken: news added after it makes the fd readable again.
    [[maybe_unused]] const auto read = ::read(wakeup_.get(), &count, sizeof count);
    News news;
    const std::lock_guard lock(mutex_);
    std::swap(news, inbox_);
    if (!news.error.empty()) inbox_.error = news.error;  // sticky: the thread has stopped
    return news;
}

void RunMonitor::wait(milliseconds timeout) const {
    pollfd p{wakeup_.get(), POLLIN, 0};
    const auto deadline = deadline_after(timeout);
    for (;;) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return;
        const int ready =
            ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1'000'000)));
        if (ready > 0 || (ready < 0 && errno != EINTR)) return;
    }
}

// Reads what the stream has past last_id, waiting up to `block` for something.
void RunMonitor::read_results(milliseconds block) {
    const auto reply = conn_.run({"XREAD", "COUNT", "4096", "BLOCK", std::to_string(block.count()),
                                  "STREAMS", keys_.results(), last_id_});
    if (reply.nil() || reply.size() == 0) return;
    const auto& entries = reply.at(0).element[1];
    std::string found;  // appended to the inbox under the lock in one piece
    for (std::size_t i = 0; i < entries->elements; ++i) {
        const auto& entry = *entries->element[i];
        last_id_ = str_of(*entry.element[0]);
        const auto& fields = *entry.element[1];  // b batch of results, or r one result
        for (std::size_t f = 1; f < fields.elements; f += 2) {
            const auto value = str_of(*fields.element[f]);
            if (str_of(*fields.element[f - 1]) == "b") {
                if (valid_batch(value)) found.append(value);  // else not ours: dropped
            } else {
                append_to_batch(found, value);
            }
        }
    }
    // Read entries are not needed again (XREAD from last_id is safe to resend).
    if (entries->elements >= 256) conn_.run({"XTRIM", keys_.results(), "MINID", last_id_});
    {
        const std::lock_guard lock(mutex_);
        if (inbox_.results.empty()) {
            inbox_.results = std::move(found);
        } else {
            inbox_.results.append(found);
        }
    }
    notify();
}

// The supervisor's heartbeat, the keys' leftover expiry, and the reaper.
void RunMonitor::beat() {
    next_beat_ = Clock::now() + kBeatEvery;
    const bool after_sentinels = sentinels_sent_;
    const auto ttl = std::to_string(kLeftoverTtl.count());
    const auto replies = conn_.pipeline({
        {"SET", keys_.alive(), "1", "PX", std::to_string(kRunTtl.count()), "XX"},
        {"PEXPIRE", keys_.jobs(), ttl},
        {"PEXPIRE", keys_.results(), ttl},
        {"PEXPIRE", keys_.workers(), ttl},
        {"PEXPIRE", keys_.dead(), ttl},
        {"PEXPIRE", keys_.signals(), ttl},
        {"SMEMBERS", keys_.dead()},
        {"SMEMBERS", keys_.workers()},
    });
    if (replies[0].nil())
        throw Error("Redis lost run " + settings_.run +
                    ": its keys are gone (restarted without appendonly, flushed, or "
                    "unreachable longer than 15 s)");
    const auto& members = replies.back();
    std::vector<std::string> workers;
    for (std::size_t i = 0; i < members.size(); ++i) workers.emplace_back(str_of(members.at(i)));
    joined_ = std::max(joined_.load(), workers.size());
    const bool warn = !warned_ && joined_ == 0 && waiting_jobs_ &&
                      Clock::now() - started_ >= settings_.no_workers_warning;
    warned_ = warned_ || warn;
    {
        const std::lock_guard lock(mutex_);
        if (after_sentinels) {
            inbox_.members = workers;
            inbox_.members_known = true;
        }
        inbox_.no_workers = inbox_.no_workers || warn;
    }
    reap(workers, replies[replies.size() - 2]);
    if (after_sentinels || warn) notify();
}

// Live workers whose heartbeat expired, and dead ones whose processing list is not
// empty: the reap script requeues their jobs.
void RunMonitor::reap(const std::vector<std::string>& workers, const Reply& dead) {
    std::vector<Command> checks;
    for (const auto& w : workers) checks.push_back({"EXISTS", keys_.heartbeat(w)});
    for (std::size_t i = 0; i < dead.size(); ++i)
        checks.push_back({"LLEN", keys_.processing(std::string(str_of(dead.at(i))))});
    if (checks.empty()) return;
    const auto found = conn_.pipeline(checks);
    std::vector<std::string> reaped;
    for (std::size_t i = 0; i < checks.size(); ++i) {
        const bool live = i < workers.size();
        if (live ? found[i].integer() == 1 : found[i].integer() == 0) continue;
        const std::string w = live ? workers[i] : std::string(str_of(dead.at(i - workers.size())));
        const auto done = conn_.eval(
            reap_script_,
            {keys_.workers(), keys_.heartbeat(w), keys_.processing(w), keys_.jobs(),
             keys_.results(), keys_.dead()},
            {w, std::to_string(settings_.max_attempts), std::to_string(kLeftoverTtl.count())});
        if (done.integer() == 1) reaped.push_back(w);
    }
    if (reaped.empty()) return;
    {
        const std::lock_guard lock(mutex_);
        inbox_.reaped.insert(inbox_.reaped.end(), reaped.begin(), reaped.end());
    }
    notify();
}

}  // namespace forkline::redis
