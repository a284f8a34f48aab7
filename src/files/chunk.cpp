#include "chunk.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "unique_fd.hpp"

namespace files {

namespace {

// Read size: a block and what follows it stay in L2 between the two passes over it.
constexpr std::size_t kBlock = 512 * 1024;
constexpr std::size_t kLookahead = kLinePrefix + 8;  // a line's prefix, a character's tail

// Reads up to `size` bytes at `offset`; returns the count (short only at end of file).
ssize_t read_at(int fd, unsigned char* into, std::size_t size, std::uint64_t offset) {
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, into + done, size - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    return static_cast<ssize_t>(done);
}

std::string os_error(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

// Reads into `into` until it is full or the file ends; returns the count, -1 on error. A
// descriptor left non-blocking by whoever passed it (a shared stdin) is waited for.
ssize_t read_fill(int fd, unsigned char* into, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::read(fd, into + done, size - done);
        if (n < 0 && errno == EAGAIN) {
            pollfd readable{fd, POLLIN, 0};
            ::poll(&readable, 1, -1);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    return static_cast<ssize_t>(done);
}

// Is there a NUL byte in data[0, size)? Records where, as the file's binary mark.
bool found_nul(const unsigned char* data, std::size_t size, ChunkResult& result) {
    const void* nul = size == 0 ? nullptr : std::memchr(data, 0, size);
    if (nul == nullptr) return false;
    result.binary = true;
    result.binary_offset =
        static_cast<std::uint64_t>(static_cast<const unsigned char*>(nul) - data);
    return true;
}

thread_local std::vector<unsigned char> buffer(kBlock + kLookahead);

// All of `fd` from where it stands to end of file, as one range: each block is analyzed
// once the lookahead after it is in, or the file has ended.
void analyze_to_eof(int fd, ChunkResult& result) {
    std::size_t have = 0;
    bool at_line_start = true;
    for (bool first = true;; first = false) {
        const ssize_t n = read_fill(fd, buffer.data() + have, buffer.size() - have);
        if (n < 0) {
            result.error = os_error("read");
            return;
        }
        have += static_cast<std::size_t>(n);
        const bool eof = have < buffer.size();
        if (first && found_nul(buffer.data(), std::min<std::size_t>(have, kBinaryProbe), result))
            return;
        const std::size_t own = eof ? have : kBlock;
        if (own == 0) return;
        analyze_bytes(buffer.data(), own, have, at_line_start, result);
        at_line_start = buffer[own - 1] == '\n';
        std::memmove(buffer.data(), buffer.data() + own, have - own);
        have -= own;
        if (eof) return;
    }
}

// Opens the job's file: a range's or a to_eof file's must still be a regular file (O_NONBLOCK:
// one replaced by a FIFO since it was listed must not block the open); a stream's may be
// anything, and its open waits for a FIFO's writer, as wc's does. -1 with `error` set.
int open_file(const ChunkJob& job, forkline::UniqueFd& fd, std::string& error) {
    if (job.reading == Reading::stream && job.path == "-") return STDIN_FILENO;
    const int nonblock = job.reading == Reading::stream ? 0 : O_NONBLOCK;
    fd = forkline::UniqueFd(::open(job.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | nonblock));
    if (!fd.valid()) {
        error = std::strerror(errno);
        return -1;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        error = os_error("fstat");
        return -1;
    }
    if (job.reading != Reading::stream && !S_ISREG(st.st_mode)) {
        error = "not a regular file any more";
        return -1;
    }
    return fd.get();
}

}  // namespace

void analyze_bytes(const unsigned char* data, std::size_t own, std::size_t size, bool at_line_start,
                   ChunkResult& result) {
    count_text(data, own, size, result.text);
    std::string scratch;
    std::size_t p = 0;
    if (at_line_start && own > 0) analyze_line(data, size, result.log, scratch);
    while (p < own) {
        const void* found = std::memchr(data + p, '\n', own - p);
        if (found == nullptr) break;
        ++result.text.lines;
        p = static_cast<std::size_t>(static_cast<const unsigned char*>(found) - data) + 1;
        if (p < own) analyze_line(data + p, size - p, result.log, scratch);
    }
}

ChunkResult analyze_chunk(const ChunkJob& job) {
    ChunkResult result;
    forkline::UniqueFd file;
    const int fd = open_file(job, file, result.error);
    if (fd < 0) return result;
    if (job.reading != Reading::range) {
        analyze_to_eof(fd, result);
        return result;
    }
    ::posix_fadvise(fd, static_cast<off_t>(job.offset), static_cast<off_t>(job.length),
                    POSIX_FADV_SEQUENTIAL);
    const std::uint64_t end = job.offset + job.length;
    if (job.offset == 0 && job.file_size > 0) {  // (memchr on an empty vector's null: UB)
        std::vector<unsigned char> probe(std::min(kBinaryProbe, job.file_size));
        const ssize_t n = read_at(fd, probe.data(), probe.size(), 0);
        if (n < 0) {
            result.error = os_error("read");
            return result;
        }
        if (found_nul(probe.data(), static_cast<std::size_t>(n), result)) return result;
    }
    bool at_line_start = job.offset == 0;
    if (job.offset > 0) {
        unsigned char before = 0;
        const ssize_t n = read_at(fd, &before, 1, job.offset - 1);
        if (n < 0) {
            result.error = os_error("read");
            return result;
        }
        at_line_start = n == 1 && before == '\n';
    }
    for (std::uint64_t at = job.offset; at < end;) {
        const std::size_t own = static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, end - at));
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(own + kLookahead, job.file_size - at));
        const ssize_t n = read_at(fd, buffer.data(), want, at);
        if (n < 0) {
            result.error = os_error("read");
            return result;
        }
        if (static_cast<std::size_t>(n) < own) {
            result.error = "file shrank while being read (listed with " +
                           std::to_string(job.file_size) + " bytes)";
            return result;
        }
        analyze_bytes(buffer.data(), own, static_cast<std::size_t>(n), at_line_start, result);
        at_line_start = buffer[own - 1] == '\n';
        at += own;
    }
    return result;
}

}  // namespace files
