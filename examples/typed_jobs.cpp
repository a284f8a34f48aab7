// Typed jobs: Documents (JSON, they hold strings) to word_stats_worker, WordStats (a plain
// struct) back; a failed job says what its handler threw. Usage: typed_jobs
#include <cstdio>
#include <forkline/forkline.hpp>
#include <string>
#include <vector>

#include "document.hpp"

int main() {
    const std::vector<Document> documents{
        {"haiku", "an old silent pond\na frog jumps into the pond\nsplash! silence again\n"},
        {"motto", "one job, one result\n"},
        {"", "no title, no count\n"},
    };
    try {
        std::uint64_t words = 0, lines = 0, failed = 0;
        forkline::Pool pool(
            {.worker_program = forkline::find_worker("word_stats_worker"), .workers = 2},
            [&](const forkline::JobResult& r) {
                const auto& title = documents[r.id].title;
                if (r.status == forkline::JobStatus::ok) {
                    const auto stats = r.as<WordStats>();
                    std::printf("%-6s %2llu words, %llu lines (worker %u)\n", title.c_str(),
                                static_cast<unsigned long long>(stats.words),
                                static_cast<unsigned long long>(stats.lines), stats.worker);
                    words += stats.words;
                    lines += stats.lines;
                } else if (r.status == forkline::JobStatus::failed) {
                    // The handler threw: its type and message.
                    std::printf("job %llu failed: %s: %s\n", static_cast<unsigned long long>(r.id),
                                std::string(r.exception_type).c_str(),
                                std::string(r.as<std::string_view>()).c_str());
                    ++failed;
                } else {  // worker_died, timed_out: how the worker ended
                    std::printf("job %llu %s (exit code %d, signal %d)\n",
                                static_cast<unsigned long long>(r.id),
                                forkline::to_string(r.status), r.worker_exit.code,
                                r.worker_exit.signal);
                    ++failed;
                }
            });
        for (const auto& doc : documents) pool.submit(doc);  // encoded as JSON by its codec
        pool.wait();
        std::printf("total: %llu words, %llu lines, %llu failed\n",
                    static_cast<unsigned long long>(words), static_cast<unsigned long long>(lines),
                    static_cast<unsigned long long>(failed));
        return words == 17 && lines == 4 && failed == 1 ? 0 : 1;
    } catch (const forkline::Error& e) {
        std::fprintf(stderr, "typed_jobs: %s\n", e.what());
        return 1;
    }
}
