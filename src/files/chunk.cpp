#include "chunk.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "chunk_input.hpp"

namespace files {

namespace {

// Read size: a block and what follows it stay in L2 between the two passes over it.
constexpr std::size_t kBlock = 512 * 1024;
constexpr std::size_t kLookahead = kLinePrefix + 8;  // a line's prefix, a character's tail

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

// All of `input` from where it stands to end of file, as one range: each block is analyzed
// once the lookahead after it is in, or the file has ended.
void analyze_to_eof(ChunkInput& input, ChunkResult& result) {
    std::size_t have = 0;
    bool at_line_start = true;
    for (bool first = true;; first = false) {
        const auto n = input.read_fill(buffer.data() + have, buffer.size() - have);
        if (n < 0) {
            result.error = input.error();
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
    ChunkInput input(job);
    if (!input.valid()) {
        result.error = input.error();
        return result;
    }
    if (job.reading != Reading::range) {
        analyze_to_eof(input, result);
        return result;
    }
    input.will_read(job.offset, job.length);
    const std::uint64_t end = job.offset + job.length;
    if (job.offset == 0 && job.file_size > 0) {  // (memchr on an empty vector's null: UB)
        std::vector<unsigned char> probe(std::min(kBinaryProbe, job.file_size));
        const auto n = input.read_at(probe.data(), probe.size(), 0);
        if (n < 0) {
            result.error = input.error();
            return result;
        }
        if (found_nul(probe.data(), static_cast<std::size_t>(n), result)) return result;
    }
    bool at_line_start = job.offset == 0;
    if (job.offset > 0) {
        unsigned char before = 0;
        const auto n = input.read_at(&before, 1, job.offset - 1);
        if (n < 0) {
            result.error = input.error();
            return result;
        }
        at_line_start = n == 1 && before == '\n';
    }
    for (std::uint64_t at = job.offset; at < end;) {
        const std::size_t own = static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, end - at));
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(own + kLookahead, job.file_size - at));
        const auto n = input.read_at(buffer.data(), want, at);
        if (n < 0) {
            result.error = input.error();
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
