#include "chunk.hpp"

#include <fcntl.h>
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
    // O_NONBLOCK: a file replaced by a FIFO since it was listed must not block the open (it
    // fails the S_ISREG check below); reads of regular files ignore the flag.
    const forkline::UniqueFd fd(
        ::open(job.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd.valid()) {
        result.error = std::strerror(errno);
        return result;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        result.error = os_error("fstat");
        return result;
    }
    if (!S_ISREG(st.st_mode)) {
        result.error = "not a regular file any more";
        return result;
    }
    ::posix_fadvise(fd.get(), static_cast<off_t>(job.offset), static_cast<off_t>(job.length),
                    POSIX_FADV_SEQUENTIAL);
    const std::uint64_t end = job.offset + job.length;
    if (job.offset == 0 && job.file_size > 0) {  // (memchr on an empty vector's null: UB)
        std::vector<unsigned char> probe(std::min(kBinaryProbe, job.file_size));
        const ssize_t n = read_at(fd.get(), probe.data(), probe.size(), 0);
        if (n < 0) {
            result.error = os_error("read");
            return result;
        }
        if (const void* nul = std::memchr(probe.data(), 0, static_cast<std::size_t>(n))) {
            result.binary = true;
            result.binary_offset =
                static_cast<std::uint64_t>(static_cast<const unsigned char*>(nul) - probe.data());
            return result;
        }
    }
    bool at_line_start = job.offset == 0;
    if (job.offset > 0) {
        unsigned char before = 0;
        const ssize_t n = read_at(fd.get(), &before, 1, job.offset - 1);
        if (n < 0) {
            result.error = os_error("read");
            return result;
        }
        at_line_start = n == 1 && before == '\n';
    }
    thread_local std::vector<unsigned char> buffer(kBlock + kLookahead);
    for (std::uint64_t at = job.offset; at < end;) {
        const std::size_t own = static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, end - at));
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(own + kLookahead, job.file_size - at));
        const ssize_t n = read_at(fd.get(), buffer.data(), want, at);
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
