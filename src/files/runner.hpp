// Runs the planned chunks: in this thread, on threads, or on a pool of files_worker
// processes. All three give the same results.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "chunk.hpp"
#include "discover.hpp"

namespace files {

enum class Mode { seq, threads, procs };
const char* to_string(Mode mode);

// Called after each chunk with the bytes and chunks done so far (from one thread at a time).
using ProgressCallback = std::function<void(std::uint64_t bytes, std::size_t chunks)>;

// One result per chunk, in plan order. Throws forkline::Error / std::runtime_error if the
// workers cannot run (a worker dying on every attempt of a chunk fails that chunk only).
std::vector<ChunkResult> run_chunks(const std::vector<FileEntry>& entries,
                                    const std::vector<PlannedChunk>& chunks, Mode mode,
                                    unsigned workers, const ProgressCallback& progress);

}  // namespace files
