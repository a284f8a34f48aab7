// A supervisor for the tests to kill: `pool_supervisor WORKER N READY` starts a pool of N
// WORKER processes (test_worker), creates the file READY once every one is started, gives
// each a long job, and waits; it ends by itself after 60 s.
#include <chrono>
#include <forkline/pool.hpp>
#include <fstream>
#include <string>

#include "test_job.hpp"

int main(int argc, char** argv) {
    if (argc != 4) return 2;
    const auto workers = static_cast<unsigned>(std::stoul(argv[2]));
    forkline::Pool pool({.worker_program = argv[1], .workers = workers},
                        [](const forkline::JobResult&) {});
    std::ofstream(argv[3]).put('\n');  // the constructor returned: every worker is started
    for (unsigned i = 0; i < workers; ++i) pool.submit(TestJob{.pause_us = 60'000'000});
    pool.poll(std::chrono::seconds(60));
    return 0;
}
