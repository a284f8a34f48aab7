#include <poll.h>

#include "input_ready.hpp"

namespace run {

bool input_ready(int fd, int timeout_ms) {
    pollfd input{.fd = fd, .events = POLLIN, .revents = 0};
    return ::poll(&input, 1, timeout_ms) > 0;  // 0: nothing yet; -1: EINTR
}

}  // namespace run
