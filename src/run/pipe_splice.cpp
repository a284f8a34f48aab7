#include "pipe_splice.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "os_error.hpp"
#include "output.hpp"

namespace run {

namespace {

// How far from the end of what a pipe holds a newline is looked for: lines longer than
// this take the slower way (read and written), never a wrong one.
constexpr std::size_t kTail = 4096;
constexpr int kScratchSize = 1 << 20;

// Moves up to `size` bytes; returns how many, 0 when they did not fit.
std::size_t splice_some(int from, int to, std::size_t size) {
    while (true) {
        const auto n = ::splice(from, nullptr, to, nullptr, size, SPLICE_F_MOVE);
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) return 0;
    }
}

}  // namespace

PipeSplicer::PipeSplicer() {
    int fds[2];
    forkline::check_os(::pipe2(fds, O_CLOEXEC | O_NONBLOCK), "pipe2");
    scratch_read_.reset(fds[0]);
    scratch_write_.reset(fds[1]);
    ::fcntl(fds[1], F_SETPIPE_SZ, kScratchSize);  // smaller: tee() copies less at a time
    null_.reset(forkline::check_os(::open("/dev/null", O_WRONLY | O_CLOEXEC), "open /dev/null"));
}

bool PipeSplicer::can_splice_to(int fd) {
    struct stat info {};
    struct stat null {};
    if (::fstat(fd, &info) != 0) return false;
    const int flags = ::fcntl(fd, F_GETFL);
    if (S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode)) return true;
    if (S_ISREG(info.st_mode)) return flags >= 0 && (flags & O_APPEND) == 0;
    return S_ISCHR(info.st_mode) && ::stat("/dev/null", &null) == 0 && info.st_rdev == null.st_rdev;
}

std::size_t PipeSplicer::whole_lines(int pipe) {
    const auto copied = ::tee(pipe, scratch_write_.get(), kScratchSize, SPLICE_F_NONBLOCK);
    if (copied <= 0) return 0;
    auto left = static_cast<std::size_t>(copied);
    // The start of the copy goes to /dev/null (no bytes copied), its last kTail bytes are read.
    while (left > kTail) {
        const auto n = splice_some(scratch_read_.get(), null_.get(), left - kTail);
        if (n == 0) break;
        left -= n;
    }
    char tail[kTail];
    std::size_t tail_size = 0;
    while (left > 0) {  // the scratch pipe is emptied whatever happens
        const auto n = ::read(scratch_read_.get(), tail, std::min(left, sizeof tail));
        if (n <= 0) break;
        tail_size = static_cast<std::size_t>(n);
        left -= tail_size;
    }
    if (left != 0) {  // cannot happen with a pipe that holds them; never leave a stale copy
        while (::read(scratch_read_.get(), tail, sizeof tail) > 0) {
        }
        return 0;
    }
    const auto* newline = static_cast<const char*>(::memrchr(tail, '\n', tail_size));
    if (newline == nullptr) return 0;
    return static_cast<std::size_t>(copied) - tail_size + static_cast<std::size_t>(newline - tail) +
           1;
}

void PipeSplicer::move(int pipe, int to, std::size_t size, const char* name) {
    while (size > 0) {
        const auto n = ::splice(pipe, nullptr, to, nullptr, size, SPLICE_F_MOVE);
        if (n > 0) {
            size -= static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {  // `to` is full (our non-blocking pipe makes it so)
            pollfd writable{to, POLLOUT, 0};
            ::poll(&writable, 1, -1);
            continue;
        }
        throw cli::OutputError(name, n < 0 ? errno : EIO);
    }
}

}  // namespace run
