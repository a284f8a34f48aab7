// queue_tput NJOBS NPROCS: round-trip throughput of trivial jobs through the shared-memory
// queues (submit -> echo_worker -> result), the forkline side of py_queue_tput.py.
#include <cstdio>
#include <forkline/forkline.hpp>
#include <string>

int main(int argc, char** argv) {
    if (argc == 2 && (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help")) {
        std::puts(
            "usage: queue_tput NJOBS NPROCS\nprints jobs/s for NJOBS trivial jobs through NPROCS "
            "echo_worker processes");
        return 0;
    }
    try {
        if (argc != 3) throw std::invalid_argument("expected NJOBS NPROCS");
        const auto jobs = std::stoull(argv[1]);
        const auto procs = static_cast<unsigned>(std::stoul(argv[2]));
        if (jobs == 0 || procs == 0)
            throw std::invalid_argument("NJOBS and NPROCS must be positive");
        std::uint64_t got = 0;
        std::uint64_t odd = 0;
        forkline::Pool pool({.worker_program = forkline::find_worker("echo_worker"),
                             .workers = procs,
                             .queue_slots = 65536,
                             .max_job_size = 8,
                             .max_result_size = 8},
                            [&](const forkline::JobResult& r) {
                                ++got;
                                odd += r.as<std::uint64_t>();
                            });
        for (std::uint64_t n = 1; n <= jobs; ++n) pool.submit(n);
        const auto summary = pool.wait();
        const double seconds = std::chrono::duration<double>(summary.wall).count();
        if (got != jobs || odd != (jobs + 1) / 2)
            throw std::runtime_error("results do not match the jobs");
        std::printf("%.0f jobs/s (%llu jobs, %u procs, %.3fs)\n", jobs / seconds,
                    static_cast<unsigned long long>(jobs), procs, seconds);
        return 0;
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "queue_tput: error: %s (usage: queue_tput NJOBS NPROCS)\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "queue_tput: error: %s\n", e.what());
        return 1;
    }
}
