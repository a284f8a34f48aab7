#include "runner.hpp"

#include <atomic>
#include <forkline/pool.hpp>
#include <mutex>
#include <thread>

#include "wire.hpp"

namespace files {

const char* to_string(Mode mode) {
    switch (mode) {
        case Mode::seq:
            return "seq";
        case Mode::threads:
            return "threads";
        case Mode::procs:
            return "procs";
    }
    return "?";
}

namespace {

ChunkJob job_of(const std::vector<FileEntry>& entries, const PlannedChunk& chunk) {
    const FileEntry& e = entries[chunk.file];
    return {e.path, chunk.offset, chunk.length, e.size};
}

void run_in_threads(const std::vector<FileEntry>& entries, const std::vector<PlannedChunk>& chunks,
                    unsigned workers, const ProgressCallback& progress,
                    std::vector<ChunkResult>& results) {
    std::atomic<std::size_t> next{0};
    std::mutex report;
    std::uint64_t bytes = 0;
    std::size_t done = 0;
    std::vector<std::jthread> threads;
    for (unsigned t = 0; t < workers; ++t) {
        threads.emplace_back([&] {
            for (auto i = next++; i < chunks.size(); i = next++) {
                results[i] = analyze_chunk(job_of(entries, chunks[i]));
                const std::lock_guard lock(report);
                bytes += chunks[i].length;
                if (progress) progress(bytes, ++done);
            }
        });
    }
}

void run_in_processes(const std::vector<FileEntry>& entries,
                      const std::vector<PlannedChunk>& chunks, unsigned workers,
                      const ProgressCallback& progress, std::vector<ChunkResult>& results) {
    std::uint64_t bytes = 0;
    std::size_t done = 0;
    std::vector<std::string> unsendable(chunks.size());  // why a chunk's job was not sent
    forkline::PoolOptions options{
        .worker_program = forkline::find_worker("files_worker"),
        .workers = workers,
        // Few jobs in flight suffice (chunks are long), and each slot costs shared memory
        // that is created and touched at start: 1024 slots of 72 KiB took 50 ms of system time.
        .queue_slots = 64,
        .max_job_size = kMaxJobSize,
        .max_result_size = kMaxResultSize,
        .claim_batch = 1,  // chunks take up to ~0.1 s: balance the load, don't batch
    };
    forkline::Pool pool(options, [&](const forkline::JobResult& r) {
        ChunkResult& result = results[r.id];
        if (!unsendable[r.id].empty()) {
            result.error = unsendable[r.id];
        } else if (r.status == forkline::JobStatus::ok) {
            result = decode_result(r.data);
        } else {
            const std::string detail(reinterpret_cast<const char*>(r.data.data()), r.data.size());
            result.error = std::string("worker ") + forkline::to_string(r.status) +
                           (detail.empty() ? "" : ": " + detail);
        }
        bytes += chunks[r.id].length;
        if (progress) progress(bytes, ++done);
    });
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        std::vector<std::byte> job;
        try {
            job = encode_job(job_of(entries, chunks[i]));
        } catch (const std::length_error& e) {
            // Job ids must stay in step with chunks: send an empty job, report the reason.
            unsendable[i] = e.what();
            job = encode_job({});
        }
        pool.submit(std::span<const std::byte>(job));
    }
    pool.wait();
}

}  // namespace

std::vector<ChunkResult> run_chunks(const std::vector<FileEntry>& entries,
                                    const std::vector<PlannedChunk>& chunks, Mode mode,
                                    unsigned workers, const ProgressCallback& progress) {
    std::vector<ChunkResult> results(chunks.size());
    switch (mode) {
        case Mode::seq:
            for (std::size_t i = 0, bytes = 0; i < chunks.size(); ++i) {
                results[i] = analyze_chunk(job_of(entries, chunks[i]));
                bytes += chunks[i].length;
                if (progress) progress(bytes, i + 1);
            }
            break;
        case Mode::threads:
            run_in_threads(entries, chunks, workers, progress, results);
            break;
        case Mode::procs:
            run_in_processes(entries, chunks, workers, progress, results);
            break;
    }
    return results;
}

}  // namespace files
