// The file a chunk job reads, behind the OS: opened as the job says, read at offsets (a
// range) or on to end of file (to_eof, stream). chunk_input_posix.cpp uses a descriptor,
// chunk_input_windows.cpp a HANDLE. Errors are values (a reason), never exceptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "chunk.hpp"
#ifdef _WIN32
#include "unique_handle.hpp"
#else
#include "unique_fd.hpp"
#endif

namespace files {

class ChunkInput {
  public:
    // Opens the job's file (standard input for a stream named "-"): a range's or a to_eof
    // file's must still be a regular file, and its open never blocks (one replaced by a FIFO
    // since it was listed); a stream's may be anything, and its open waits for a FIFO's
    // writer, as wc's does. On failure, error() says why.
    explicit ChunkInput(const ChunkJob& job);

    const std::string& error() const { return error_; }
    bool valid() const { return error_.empty(); }

    // Up to `size` bytes at `offset`; returns the count (short only at end of file), or -1
    // with error() set.
    std::int64_t read_at(unsigned char* into, std::size_t size, std::uint64_t offset);

    // From where the file stands, until `into` is full or the file ends; returns the count,
    // or -1 with error() set. Standard input left non-blocking by whoever passed it is
    // waited for.
    std::int64_t read_fill(unsigned char* into, std::size_t size);

    // Tells the OS the range will be read once, in order (read-ahead), where it listens.
    void will_read(std::uint64_t offset, std::uint64_t length);

  private:
#ifdef _WIN32
    forkline::UniqueHandle owned_;
    void* handle_ = nullptr;  // owned_, or standard input's (not ours to close)
#else
    forkline::UniqueFd owned_;
    int fd_ = -1;  // owned_, or 0 for standard input (not ours to close)
#endif
    std::string error_;
};

}  // namespace files
