// The supervisor's background thread (RedisPool): beats the run's heartbeat, reaps worker
// hosts whose heartbeat expired, and reads the result stream, on a connection of its own,
// whether or not the pool's caller calls in. What it finds waits in an inbox that the pool's
// thread takes (take()); fd() is readable while the inbox has something.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connection.hpp"
#include "keys.hpp"
#include "unique_fd.hpp"

namespace forkline::redis {

class RunMonitor {
  public:
    struct Settings {
        Url url;
        std::chrono::milliseconds give_up;
        std::chrono::milliseconds connect_timeout;
        std::string queue;
        std::string run;
        unsigned max_attempts;
        std::chrono::milliseconds no_workers_warning;
    };

    // What the thread found since the last take().
    struct News {
        // The entries of the result stream, in order, as a batch (for_each_in_batch()).
        std::string results;
        std::vector<std::string> reaped;  // workers reaped (their jobs requeued)
        // The registered workers, from a beat that began after sentinels_sent(): a pending
        // worker missing from it left on request and answers no sentinel.
        std::vector<std::string> members;
        bool members_known = false;
        bool no_workers = false;  // jobs wait and no worker joined: warn (once)
        std::string error;        // the thread stopped on this (connection lost, run gone)
    };

    // Connects (Error as Connection's) and starts the thread.
    explicit RunMonitor(Settings settings);
    ~RunMonitor();
    RunMonitor(const RunMonitor&) = delete;
    RunMonitor& operator=(const RunMonitor&) = delete;

    int fd() const { return wakeup_.get(); }
    News take();
    // Waits up to `timeout` for news (fd() readable).
    void wait(std::chrono::milliseconds timeout) const;

    // Stops the thread (the run is over); fd() stays open.
    void stop();

    void set_waiting_jobs(bool waiting) { waiting_jobs_ = waiting; }
    void sentinels_sent() { sentinels_sent_ = true; }
    std::size_t joined() const { return joined_; }

  private:
    void loop(std::stop_token stop);
    void beat();
    void reap(const std::vector<std::string>& workers, const Reply& dead);
    void read_results(std::chrono::milliseconds block);
    void notify();

    Settings settings_;
    RunKeys keys_;
    Connection conn_;
    std::size_t reap_script_ = 0;
    UniqueFd wakeup_;  // eventfd
    std::string last_id_ = "0";
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point next_beat_;
    std::atomic<bool> waiting_jobs_ = false;
    std::atomic<bool> sentinels_sent_ = false;
    std::atomic<std::size_t> joined_ = 0;
    bool warned_ = false;
    mutable std::mutex mutex_;  // guards inbox_
    News inbox_;
    std::jthread thread_;  // last: stopped and joined first
};

}  // namespace forkline::redis
