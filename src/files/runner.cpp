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
    return {e.path, chunk.offset, chunk.length, e.size, e.reading};
}

// Counts what is done and reports it, from one thread at a time.
class Tally {
  public:
    Tally(const std::vector<PlannedChunk>& chunks, const ProgressCallback& progress)
        : chunks_(chunks), progress_(progress) {}

    void done(std::size_t chunk) {
        const std::lock_guard lock(mutex_);
        bytes_ += chunks_[chunk].length;
        if (progress_) progress_(bytes_, ++done_);
    }

  private:
    const std::vector<PlannedChunk>& chunks_;
    const ProgressCallback& progress_;
    std::mutex mutex_;
    std::uint64_t bytes_ = 0;
    std::size_t done_ = 0;
};

using Indices = std::vector<std::size_t>;

void run_in_threads(const std::vector<FileEntry>& entries, const std::vector<PlannedChunk>& chunks,
                    const Indices& todo, unsigned workers, Tally& tally,
                    std::vector<ChunkResult>& results) {
    std::atomic<std::size_t> next{0};
    std::vector<std::jthread> threads;
    for (unsigned t = 0; t < workers; ++t) {
        threads.emplace_back([&] {
            for (auto k = next++; k < todo.size(); k = next++) {
                results[todo[k]] = analyze_chunk(job_of(entries, chunks[todo[k]]));
                tally.done(todo[k]);
            }
        });
    }
}

void run_in_processes(const std::vector<FileEntry>& entries,
                      const std::vector<PlannedChunk>& chunks, const Indices& todo,
                      unsigned workers, Tally& tally, std::vector<ChunkResult>& results) {
    std::vector<std::string> unsendable(todo.size());  // by job id: why its job was not sent
    forkline::PoolOptions options{
        .worker_program = forkline::find_worker("files_worker"),
        .workers = workers,
        // Few jobs in flight suffice (chunks are long), and each slot costs shared memory
        // that is created and touched at start: 1024 slots of 72 KiB took 50 ms of system time.
        .queue_slots = 64,
        .max_job_size = kMaxJobSize,
        .max_result_size = kMaxResultSize,
        .claim_batch = 1,  // chunks take up to ~0.1 s: balance the load, don't batch
        .label = "files",
    };
    // Job ids count from 0 in submission order: job k is chunk todo[k].
    forkline::Pool pool(options, [&](const forkline::JobResult& r) {
        ChunkResult& result = results[todo[r.id]];
        if (!unsendable[r.id].empty()) {
            result.error = unsendable[r.id];
        } else if (r.status == forkline::JobStatus::ok) {
            result = decode_result(r.data);
        } else {
            const std::string detail(reinterpret_cast<const char*>(r.data.data()), r.data.size());
            result.error = std::string("worker ") + forkline::to_string(r.status) +
                           (detail.empty() ? "" : ": " + detail);
        }
        tally.done(todo[r.id]);
    });
    pool.set_total_jobs(todo.size());
    for (std::size_t k = 0; k < todo.size(); ++k) {
        std::vector<std::byte> job;
        try {
            job = encode_job(job_of(entries, chunks[todo[k]]));
        } catch (const std::length_error& e) {
            // Job ids must stay in step with chunks: send an empty job, report the reason.
            unsendable[k] = e.what();
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
    Tally tally(chunks, progress);
    // Streams first, here: they can be read once only, by this process (see Reading).
    Indices todo;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        if (entries[chunks[i].file].reading != Reading::stream) {
            todo.push_back(i);
            continue;
        }
        results[i] = analyze_chunk(job_of(entries, chunks[i]));
        tally.done(i);
    }
    if (todo.empty()) return results;  // no pool started for nothing
    switch (mode) {
        case Mode::seq:
            for (const auto i : todo) {
                results[i] = analyze_chunk(job_of(entries, chunks[i]));
                tally.done(i);
            }
            break;
        case Mode::threads:
            run_in_threads(entries, chunks, todo, workers, tally, results);
            break;
        case Mode::procs:
            run_in_processes(entries, chunks, todo, workers, tally, results);
            break;
    }
    return results;
}

}  // namespace files
