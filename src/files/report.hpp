// Per-file and total results of a run, from the chunk results; printed as a table or JSON.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "chunk.hpp"
#include "discover.hpp"

namespace files {

struct FileReport {
    FileEntry entry;  // status and reason final: binary or failed after reading
    TextCounts text;
    LogCounts log;

    bool operator==(const FileReport&) const = default;
};

struct Report {
    std::vector<FileReport> files;  // in discovery order
    FileReport total;               // sums over the ok files
    std::size_t ok = 0, binary = 0, skipped = 0, failed = 0;

    bool operator==(const Report&) const = default;
};

// Merges `results` (one per planned chunk, chunks of a file in order) into per-file counts.
Report build_report(const std::vector<FileEntry>& entries, const std::vector<PlannedChunk>& chunks,
                    const std::vector<ChunkResult>& results);

// wc-like columns (lines, words, chars, bytes, then ERROR WARN INFO DEBUG), one row per file,
// a reason instead of counts for the files not counted, a total row, then the `top` most
// frequent error messages of each file that has any and of all files together.
void print_table(const Report& report, std::size_t top, std::FILE* out);

nlohmann::json to_json(const Report& report, std::size_t top);

}  // namespace files
