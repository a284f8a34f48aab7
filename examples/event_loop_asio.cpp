// Driving a pool from a Boost.Asio event loop: the loop waits on Pool::fd(), delivers the
// results that are ready with poll(0), and keeps the queue topped up with try_submit(),
// while a steady timer shows the loop stays free for other work. A job that is too slow
// has its own timeout; one job is cancelled before it runs.
// Usage: event_loop_asio [N]
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <forkline/forkline.hpp>
#include <functional>
#include <string>

namespace {

using namespace std::chrono_literals;

// Owns the loop's side: submits 1..count as slots free up, sums what comes back.
struct SquareSums {
    forkline::Pool& pool;
    boost::asio::posix::stream_descriptor events;  // watches pool.fd(); never reads it
    std::uint64_t count;
    std::uint64_t next = 1;
    std::uint64_t sum = 0;

    void top_up() {
        while (next <= count) {
            if (!pool.try_submit(next)) return;  // full: fd() says when to try again
            ++next;
        }
    }

    void wait_for_results() {
        events.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                          [this](boost::system::error_code error) {
                              if (error) return;
                              pool.poll(0ms);  // delivers what is ready, re-arms fd()
                              top_up();
                              if (pool.in_flight() > 0 || next <= count) wait_for_results();
                          });
    }
};

}  // namespace

int main(int argc, char** argv) {
    const std::uint64_t count = argc > 1 ? std::stoull(argv[1]) : 1000;
    try {
        boost::asio::io_context loop;
        std::uint64_t sum = 0;
        std::uint64_t cancelled = 0;
        forkline::Pool pool({.worker_program = forkline::find_worker("square_worker"),
                             .workers = 2,
                             .queue_slots = 64},
                            [&](const forkline::JobResult& result) {
                                if (result.status == forkline::JobStatus::cancelled) {
                                    ++cancelled;
                                } else if (result.status == forkline::JobStatus::ok) {
                                    sum += result.as<std::uint64_t>();
                                } else {
                                    std::fprintf(stderr, "job %llu: %s\n",
                                                 static_cast<unsigned long long>(result.id),
                                                 forkline::to_string(result.status));
                                }
                            });
        // A job cancelled before any worker takes it is reported cancelled, never run.
        const auto unwanted = pool.submit(std::uint64_t{0}, {.timeout = 10s});
        pool.cancel(unwanted);

        SquareSums sums{pool, boost::asio::posix::stream_descriptor(loop, pool.fd()), count};
        unsigned ticks = 0;
        boost::asio::steady_timer ticker(loop);
        std::function<void()> tick = [&] {  // other work the loop does meanwhile
            ticker.expires_after(1ms);
            ticker.async_wait([&](boost::system::error_code error) {
                if (error || pool.in_flight() == 0) return;
                ++ticks;
                tick();
            });
        };
        sums.top_up();
        sums.wait_for_results();
        tick();
        loop.run();
        sums.events.release();  // the descriptor is the pool's: do not close it

        const forkline::PoolSummary summary = pool.wait();
        std::printf("sum of squares 1..%llu = %llu (%llu ok, %llu cancelled, %u timer ticks)\n",
                    static_cast<unsigned long long>(count), static_cast<unsigned long long>(sum),
                    static_cast<unsigned long long>(summary.succeeded),
                    static_cast<unsigned long long>(cancelled), ticks);
        const bool right = sum == count * (count + 1) * (2 * count + 1) / 6;
        return right && summary.succeeded == count && cancelled == 1 ? 0 : 1;
    } catch (const forkline::Error& e) {  // could not run: bad options, worker missing, …
        std::fprintf(stderr, "event_loop_asio: %s\n", e.what());
        return 1;
    }
}
