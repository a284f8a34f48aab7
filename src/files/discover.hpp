// Which files a run covers: the named files, and the files under the named directories
// whose names match a pattern; each with its size, or the reason it is not read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chunk.hpp"

namespace files {

enum class FileStatus { ok, binary, skipped, failed };
const char* to_string(FileStatus status);

struct FileEntry {
    std::string path;
    std::uint64_t size = 0;
    FileStatus status = FileStatus::ok;  // discovery gives ok, skipped or failed
    std::string reason;                  // why not ok
    Reading reading = Reading::range;    // range: split by `size`; else one piece to EOF

    bool operator==(const FileEntry&) const = default;
};

// Named files are always taken (following symlinks); directories are walked recursively in
// name order, taking the files whose base name matches one of `patterns` (fnmatch; all files
// when empty). Inside directories, symlinks to files are followed, symlinks to directories
// and other non-regular files are reported as skipped, unreadable directories and dangling
// symlinks as failed: nothing is left out without a line saying so.
// As wc: "-" is standard input and a FIFO named is read (Reading::stream); a regular file of
// size 0 or on a file system whose sizes are not the content's (/proc, /sys) is read to end
// of file (Reading::to_eof). A FIFO met inside a directory is skipped: nothing may be
// writing to it, and the walk would wait for ever.
std::vector<FileEntry> discover(const std::vector<std::string>& paths,
                                const std::vector<std::string>& patterns);

struct PlannedChunk {
    std::size_t file;  // index into the entries
    std::uint64_t offset;
    std::uint64_t length;
};

// Splits each ok file into ranges of about `chunk_size` bytes (a file read to end of file
// is one piece of length 0): one big file still keeps every worker busy. At most
// kMaxChunksPerFile ranges, so a tiny chunk size on a big file cannot plan billions of them
// (ranges are longer then).
constexpr std::uint64_t kMaxChunksPerFile = 1 << 16;
std::vector<PlannedChunk> plan_chunks(const std::vector<FileEntry>& entries,
                                      std::uint64_t chunk_size);

}  // namespace files
