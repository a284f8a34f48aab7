// The entries of the job list and the result stream, as bytes. Text headers keep them
// readable in redis-cli and parseable from Lua (the reaper rewrites the attempt):
//   job       J<id>:<attempt>:<payload>
//   sentinel  S
//   result    R<id>:<attempts>:<status>:<elapsed ns>:<exit code>:<exit signal>:<type length>:
//             <exception type><data>
//   answer    A<worker>            (a worker's answer to its sentinel)
#pragma once

#include <chrono>
#include <cstdint>
#include <forkline/pool.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace forkline::redis {

inline constexpr std::string_view kSentinel = "S";

struct JobEntry {
    JobId id;
    unsigned attempt;  // 1 for the first run; the reaper adds one per requeue
    std::string_view payload;
};

struct ResultEntry {
    JobId id;
    unsigned attempts;
    JobStatus status;
    std::chrono::nanoseconds elapsed;
    std::string_view data;
    WorkerExit worker_exit{};
    std::string_view exception_type{};
};

std::string job_entry(JobId id, unsigned attempt, std::span<const std::byte> payload);
std::optional<JobEntry> parse_job(std::string_view entry);  // nullopt: not a job

std::string result_entry(const ResultEntry& result);
void append_result(std::string& out, const ResultEntry& result);  // result_entry(), appended
std::optional<ResultEntry> parse_result(std::string_view entry);  // nullopt: not a result

// Entries of one stream field b: "<length>:<entry>" each, back to back (the length may
// have leading zeros).
void append_to_batch(std::string& batch, const ResultEntry& result);
void append_to_batch(std::string& batch, std::string_view entry);
// Takes the first entry off a batch; false at its end, or if it is malformed (then
// `batch` is left non-empty).
bool next_in_batch(std::string_view& batch, std::string_view& entry);
// True if the whole of `batch` is well formed.
bool valid_batch(std::string_view batch);

inline std::string answer_entry(const std::string& worker) {
    return "A" + worker;
}

}  // namespace forkline::redis
