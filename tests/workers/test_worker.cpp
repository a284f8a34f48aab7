// A worker for the tests: doubles a number after an optional pause; can fail on request.
#include <unistd.h>

#include <forkline/serve.hpp>
#include <stdexcept>

#include "test_job.hpp"

int main() {
    return forkline::serve_typed<TestJob, std::uint64_t>([](const TestJob& job) {
        if (job.pause_us != 0) ::usleep(job.pause_us);
        if (job.action == TestJob::throw_error) throw std::runtime_error("asked to fail");
        if (job.action == TestJob::crash) ::_exit(3);
        return job.value * 2;
    });
}
