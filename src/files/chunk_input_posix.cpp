// Chunk input through a descriptor: pread for ranges, read for streams (Linux).
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "chunk_input.hpp"

namespace files {

namespace {

std::string os_error(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

// Calls read_once(into + done, size - done, done) until `size` bytes are in or it reads 0
// (end of file); returns the count, or -1 with `error` set. EINTR is retried.
template <typename ReadOnce>
std::int64_t read_until_full(unsigned char* into, std::size_t size, ReadOnce read_once,
                             std::string& error) {
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = read_once(into + done, size - done, done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = os_error("read");
            return -1;
        }
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    return static_cast<std::int64_t>(done);
}

}  // namespace

ChunkInput::ChunkInput(const ChunkJob& job) {
    if (job.reading == Reading::stream && job.path == "-") {
        fd_ = STDIN_FILENO;
        return;
    }
    const int nonblock = job.reading == Reading::stream ? 0 : O_NONBLOCK;
    owned_ =
        forkline::UniqueFd(::open(job.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | nonblock));
    if (!owned_.valid()) {
        error_ = std::strerror(errno);
        return;
    }
    fd_ = owned_.get();
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        error_ = os_error("fstat");
    } else if (job.reading != Reading::stream && !S_ISREG(st.st_mode)) {
        error_ = "not a regular file any more";
    }
}

std::int64_t ChunkInput::read_at(unsigned char* into, std::size_t size, std::uint64_t offset) {
    return read_until_full(
        into, size,
        [&](unsigned char* at, std::size_t left, std::size_t done) {
            return ::pread(fd_, at, left, static_cast<off_t>(offset + done));
        },
        error_);
}

std::int64_t ChunkInput::read_fill(unsigned char* into, std::size_t size) {
    return read_until_full(
        into, size,
        [&](unsigned char* at, std::size_t left, std::size_t) {
            for (;;) {
                const ssize_t n = ::read(fd_, at, left);
                if (n >= 0 || errno != EAGAIN) return n;
                pollfd readable{fd_, POLLIN, 0};
                ::poll(&readable, 1, -1);
            }
        },
        error_);
}

void ChunkInput::will_read(std::uint64_t offset, std::uint64_t length) {
    ::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(length),
                    POSIX_FADV_SEQUENTIAL);
}

}  // namespace files
