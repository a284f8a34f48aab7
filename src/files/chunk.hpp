// One unit of work: a byte range of one file, analyzed by a worker (process or thread).
#pragma once

#include <cstdint>
#include <string>

#include "log_lines.hpp"
#include "text_counts.hpp"

namespace files {

// How a job reads its file.
enum class Reading : std::uint8_t {
    range,   // [offset, offset + length) of a regular file, within the size it was listed with
    to_eof,  // a regular file whose size says nothing (0, or on /proc or /sys, where files
             // are made as they are read, as /proc/cpuinfo): all of it, to end of file
    stream,  // standard input ("-") or a FIFO: read once, to end of file; it cannot be read
             // again, so only by the process that planned it (a retried worker would miss bytes)
};

struct ChunkJob {
    std::string path;  // "-": standard input
    std::uint64_t offset = 0;
    std::uint64_t length = 0;          // bytes of the file this range owns
    std::uint64_t file_size = 0;       // the size when listed: nothing past it is read
    Reading reading = Reading::range;  // to_eof and stream: offset, length, file_size unused
};

struct ChunkResult {
    TextCounts text;
    LogCounts log;
    bool binary = false;  // a NUL byte in the file's first kBinaryProbe bytes (offset 0 only)
    std::uint64_t binary_offset = 0;
    std::string error;  // why the range could not be read; empty when it was

    bool operator==(const ChunkResult&) const = default;
};

// A file is binary if its first 64 KiB hold a NUL byte (as grep and git decide).
constexpr std::uint64_t kBinaryProbe = 64 * 1024;

// Reads and analyzes one range (or a whole file, as job.reading says): counts of the bytes it owns,
// levels of the lines that start in it (the first line only if the range starts a line; the last
// one is read past the range's end, kLinePrefix bytes at most). Errors are returned, not thrown.
ChunkResult analyze_chunk(const ChunkJob& job);

// The same on bytes in memory: data[0, own) is the range, data[own, size) what follows it,
// `at_line_start` whether a line starts at data[0]. For tests and analyze_chunk.
void analyze_bytes(const unsigned char* data, std::size_t own, std::size_t size, bool at_line_start,
                   ChunkResult& result);

}  // namespace files
