// The bytes of a job and of a result as they travel through the pool's shared memory:
// fixed-size headers plus strings, bounded so a result always fits max_result_size.
#pragma once

#include <cstddef>
#include <forkline/pool_defaults.hpp>
#include <span>
#include <vector>

#include "chunk.hpp"

namespace files {

constexpr std::size_t kMaxJobSize = 8 * 1024;  // a header and a path of up to ~8 KiB
constexpr std::size_t kMaxResultSize = forkline::kDefaultMaxResultSize;  // the pool's default
// A result carries a chunk's most frequent error messages, at most this many; the others
// only count in LogCounts::dropped_errors (the totals then say they are approximate).
constexpr std::size_t kMaxMessagesPerResult = 256;

// Throws std::length_error if the path does not fit kMaxJobSize.
std::vector<std::byte> encode_job(const ChunkJob& job);
ChunkJob decode_job(std::span<const std::byte> bytes);

// Writes `result` into `out`, dropping the rarest messages if needed; returns the size.
std::size_t encode_result(const ChunkResult& result, std::span<std::byte> out);
// Throws std::runtime_error on malformed bytes.
ChunkResult decode_result(std::span<const std::byte> bytes);

}  // namespace files
