// A worker for the tests: doubles a number after an optional pause; can fail on request.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <forkline/serve.hpp>
#include <stdexcept>

#include "test_job.hpp"

namespace {

// Descriptors a program this worker runs would inherit besides 0, 1, 2 (those without
// FD_CLOEXEC; the worker's own, such as the supervisor's eventfd, are close-on-exec).
std::uint64_t extra_fds() {
    DIR* dir = ::opendir("/proc/self/fd");
    std::uint64_t count = 0;
    while (const dirent* entry = ::readdir(dir)) {
        const int fd = std::atoi(entry->d_name);
        if (entry->d_name[0] != '.' && fd > 2 && fd != ::dirfd(dir) &&
            (::fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0) {
            ++count;
        }
    }
    ::closedir(dir);
    return count;
}

}  // namespace

int main() {
    return forkline::serve_typed<TestJob, std::uint64_t>([](const TestJob& job) {
        if (job.pause_us != 0) ::usleep(job.pause_us);
        if (job.action == TestJob::throw_error) throw std::runtime_error("asked to fail");
        if (job.action == TestJob::crash) ::_exit(3);
        if (job.action == TestJob::exit_quietly) ::_exit(0);
        if (job.action == TestJob::count_fds) return extra_fds();
        return job.value * 2;
    });
}
