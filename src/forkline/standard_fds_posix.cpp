#include "standard_fds.hpp"

#include <fcntl.h>

namespace forkline {

void ensure_standard_fds() {
    for (int fd = 0; fd <= 2; ++fd) {
        // open() takes the lowest free number: this very fd. Deliberately not O_CLOEXEC: a
        // child inherits the same closed-looking descriptor.
        if (::fcntl(fd, F_GETFD) == -1) ::open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
    }
}

}  // namespace forkline
