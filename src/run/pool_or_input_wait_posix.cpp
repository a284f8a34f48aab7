// One poll(2) over both descriptors (a signal ends it early: EINTR).
#include <poll.h>

#include <vector>

#include "pool_or_input_wait.hpp"

namespace run {

void wait_for_pool_or_input(forkline::NativeHandle pool, int input_fd,
                            std::chrono::milliseconds timeout) {
    std::vector<pollfd> fds{{.fd = pool, .events = POLLIN, .revents = 0}};
    if (input_fd >= 0) fds.push_back({.fd = input_fd, .events = POLLIN, .revents = 0});
    ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
}

}  // namespace run
