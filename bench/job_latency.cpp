// job_latency SAMPLES [--fd | --wait]: submit -> result latency of one trivial job on an
// idle pool (one echo_worker; before each job the pool sits idle 2 ms, so the worker and
// the supervisor are asleep), the forkline side of scripts/bench/py_pipe_latency.py. Waits
// in poll(), or with --fd in epoll on Pool::fd() as an event loop would. With --wait: how
// long wait() takes on an idle pool (its worker answers the sentinel and exits), one fresh
// pool per sample. Prints "P50_US P99_US MAX_US" in microseconds.
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <forkline/forkline.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double micros_since(Clock::time_point start, Clock::time_point end) {
    return std::chrono::duration<double, std::micro>(end - start).count();
}

// wait() on idle pools: the sentinel's round trip and the worker's exit, seen by the pool.
std::vector<double> idle_waits(unsigned long samples) {
    std::vector<double> micros;
    for (unsigned long i = 0; i < samples; ++i) {
        forkline::Pool pool({.worker_program = forkline::find_worker("echo_worker"),
                             .workers = 1,
                             .max_job_size = 8,
                             .max_result_size = 8});
        pool.submit(std::uint64_t{i});
        while (pool.in_flight() > 0) pool.poll(std::chrono::seconds(10));
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // idle: all asleep
        const auto start = Clock::now();
        pool.wait();
        micros.push_back(micros_since(start, Clock::now()));
    }
    return micros;
}

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

void print_percentiles(const std::vector<double>& micros) {
    std::printf("%.1f %.1f %.1f\n", percentile(micros, 0.5), percentile(micros, 0.99),
                percentile(micros, 1.0));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
        std::puts(
            "usage: job_latency SAMPLES [--fd | --wait]\nprints p50, p99 and max microseconds "
            "from submit() to the result of one trivial job on an idle pool (--fd: waiting in "
            "epoll on Pool::fd(); --wait: of wait() on an idle pool)");
        return argc < 2 ? 2 : 0;
    }
    try {
        const auto samples = std::stoul(argv[1]);
        const std::string mode = argc > 2 ? argv[2] : "";
        const bool use_fd = mode == "--fd";
        if (mode == "--wait") {
            print_percentiles(idle_waits(samples));
            return 0;
        }
        Clock::time_point done;
        forkline::Pool pool({.worker_program = forkline::find_worker("echo_worker"),
                             .workers = 1,
                             .max_job_size = 8,
                             .max_result_size = 8},
                            [&](const forkline::JobResult&) { done = Clock::now(); });
        const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
        epoll_event event{.events = EPOLLIN, .data = {}};
        if (use_fd && ::epoll_ctl(epoll, EPOLL_CTL_ADD, pool.fd(), &event) != 0) return 1;
        std::vector<double> micros;
        for (unsigned long i = 0; i < samples + 10; ++i) {              // 10 warm-up jobs
            std::this_thread::sleep_for(std::chrono::milliseconds(2));  // idle: all asleep
            const auto start = Clock::now();
            pool.submit(std::uint64_t{i});
            while (pool.in_flight() > 0) {
                if (use_fd) {
                    if (::epoll_wait(epoll, &event, 1, 10'000) != 1) return 1;
                    pool.poll(std::chrono::milliseconds(0));
                } else {
                    pool.poll(std::chrono::seconds(10));
                }
            }
            if (i >= 10) micros.push_back(micros_since(start, done));
        }
        ::close(epoll);
        pool.wait();
        print_percentiles(micros);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "job_latency: %s\n", e.what());
        return 1;
    }
}
