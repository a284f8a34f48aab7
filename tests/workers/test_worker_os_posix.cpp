#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "test_worker_os.hpp"

namespace test_worker {

std::uint64_t inheritable_handles() {
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

std::uint64_t process_id() {
    return static_cast<std::uint64_t>(::getpid());
}

}  // namespace test_worker
