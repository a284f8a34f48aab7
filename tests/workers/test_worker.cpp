// A worker for the tests: doubles a number after an optional pause; can fail on request.
#include <chrono>
#include <cstdlib>
#include <forkline/serve.hpp>
#include <stdexcept>
#include <thread>

#include "test_job.hpp"
#include "test_worker_os.hpp"

int main() {
    return forkline::serve_typed<TestJob, std::uint64_t>([](const TestJob& job) {
        if (job.pause_us != 0) std::this_thread::sleep_for(std::chrono::microseconds(job.pause_us));
        if (job.action == TestJob::throw_error) throw std::runtime_error("asked to fail");
        if (job.action == TestJob::crash) std::_Exit(3);
        if (job.action == TestJob::exit_quietly) std::_Exit(0);
        if (job.action == TestJob::count_fds) return test_worker::inheritable_handles();
        if (job.action == TestJob::report_pid) return test_worker::process_id();
        return job.value * 2;
    });
}
