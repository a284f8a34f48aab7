// Worker lifecycle for in-process workers: worker_init sets each worker process up once
// (here: remembers its index), and max_jobs_per_worker replaces a worker with a fresh
// process after 50 jobs (for handlers that leak). No job is lost or run twice.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <forkline/forkline.hpp>
#include <set>

namespace {

struct Ran {  // the result: who ran the job
    unsigned worker_index;
    pid_t pid;
};

unsigned this_worker = 0;  // set in each worker process by worker_init

}  // namespace

int main() {
    try {
        std::set<pid_t> processes;
        std::uint64_t results = 0;
        forkline::Pool pool({.worker_function =
                                 [](std::span<const std::byte>, std::span<std::byte> out) {
                                     const Ran ran{this_worker, ::getpid()};
                                     std::memcpy(out.data(), &ran, sizeof ran);
                                     return sizeof ran;
                                 },
                             .workers = 2,
                             .worker_init = [](unsigned index) { this_worker = index; },
                             .max_jobs_per_worker = 50},
                            [&](const forkline::JobResult& r) {
                                processes.insert(r.as<Ran>().pid);
                                ++results;
                            });
        for (int job = 0; job < 1000; ++job) pool.submit(job);
        const forkline::PoolSummary summary = pool.wait();
        std::printf("%llu results from %zu worker processes (%llu recycled, %llu died)\n",
                    static_cast<unsigned long long>(results), processes.size(),
                    static_cast<unsigned long long>(summary.workers_recycled),
                    static_cast<unsigned long long>(summary.worker_deaths));
        return results == 1000 && processes.size() >= 20 && summary.worker_deaths == 0 ? 0 : 1;
    } catch (const forkline::Error& e) {
        std::fprintf(stderr, "worker_lifecycle: %s\n", e.what());
        return 1;
    }
}
