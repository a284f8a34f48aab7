// Embedding a pool of worker processes: square 1..N with square_worker (beside this program)
// and print the sum. Usage: embed_pool [N]
#include <cstdint>
#include <cstdio>
#include <forkline/forkline.hpp>
#include <string>

int main(int argc, char** argv) {
    const std::uint64_t count = argc > 1 ? std::stoull(argv[1]) : 1000;
    try {
        std::uint64_t sum = 0;
        forkline::Pool pool(
            {.worker_program = forkline::find_worker("square_worker"), .workers = 2},
            [&](const forkline::JobResult& result) {
                if (result.status != forkline::JobStatus::ok) {
                    std::fprintf(stderr, "job %llu: %s\n",
                                 static_cast<unsigned long long>(result.id),
                                 forkline::to_string(result.status));
                    return;
                }
                sum += result.as<std::uint64_t>();
            });
        for (std::uint64_t n = 1; n <= count; ++n) pool.submit(n);
        const forkline::PoolSummary summary = pool.wait();
        std::printf("sum of squares 1..%llu = %llu (%llu jobs ok, %.3f s)\n",
                    static_cast<unsigned long long>(count), static_cast<unsigned long long>(sum),
                    static_cast<unsigned long long>(summary.succeeded),
                    std::chrono::duration<double>(summary.wall).count());
        return summary.succeeded == count ? 0 : 1;
    } catch (const forkline::Error& e) {  // could not run: bad options, worker missing, …
        std::fprintf(stderr, "embed_pool: %s\n", e.what());
        return 1;
    }
}
