#include "entry.hpp"

#include <charconv>
#include <forkline/error.hpp>

#include "keys.hpp"

namespace forkline::redis {

namespace {

// Reads "<number>:" from the front of `text`; false if it is not there.
template <typename T>
bool take_number(std::string_view& text, T& value) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end == text.data() + text.size() || *end != ':') return false;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()) + 1);
    return true;
}

// Appends "<number>:" without a temporary string (this runs once per field of every entry).
void put_number(std::string& out, long long value) {
    char text[24];
    const auto end = std::to_chars(text, text + sizeof text, value).ptr;
    out.append(text, static_cast<std::size_t>(end - text));
    out.push_back(':');
}

}  // namespace

std::string checked_queue_name(std::string_view queue) {
    if (queue.empty()) return "forkline";
    const bool ok = queue.size() <= 64 && queue.find_first_not_of(
                                              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_.-") == std::string_view::npos;
    if (!ok)
        throw Error("bad queue name '" + std::string(queue) +
                    "': 1 to 64 letters, digits, '_', '.' or '-'");
    return std::string(queue);
}

std::string job_entry(JobId id, unsigned attempt, std::span<const std::byte> payload) {
    std::string entry;
    entry.reserve(24 + payload.size());
    entry.push_back('J');
    put_number(entry, static_cast<long long>(id));
    put_number(entry, attempt);
    entry.append(reinterpret_cast<const char*>(payload.data()), payload.size());
    return entry;
}

std::optional<JobEntry> parse_job(std::string_view entry) {
    if (!entry.starts_with('J')) return std::nullopt;
    entry.remove_prefix(1);
    JobEntry job{};
    if (!take_number(entry, job.id) || !take_number(entry, job.attempt)) return std::nullopt;
    job.payload = entry;
    return job;
}

std::string result_entry(const ResultEntry& r) {
    std::string entry;
    append_result(entry, r);
    return entry;
}

void append_result(std::string& entry, const ResultEntry& r) {
    entry.push_back('R');
    put_number(entry, static_cast<long long>(r.id));
    put_number(entry, r.attempts);
    put_number(entry, static_cast<int>(r.status));
    put_number(entry, r.elapsed.count());
    put_number(entry, r.worker_exit.code);
    put_number(entry, r.worker_exit.signal);
    put_number(entry, static_cast<long long>(r.exception_type.size()));
    entry += r.exception_type;
    entry += r.data;
}

std::optional<ResultEntry> parse_result(std::string_view entry) {
    if (!entry.starts_with('R')) return std::nullopt;
    entry.remove_prefix(1);
    ResultEntry r{};
    int status = 0;
    std::int64_t elapsed = 0;
    std::size_t type_size = 0;
    if (!take_number(entry, r.id) || !take_number(entry, r.attempts) ||
        !take_number(entry, status) || !take_number(entry, elapsed) ||
        !take_number(entry, r.worker_exit.code) || !take_number(entry, r.worker_exit.signal) ||
        !take_number(entry, type_size) || type_size > entry.size() || status < 0 ||
        status > static_cast<int>(JobStatus::cancelled))
        return std::nullopt;
    r.status = static_cast<JobStatus>(status);
    r.elapsed = std::chrono::nanoseconds(elapsed);
    r.exception_type = entry.substr(0, type_size);
    r.data = entry.substr(type_size);
    return r;
}

bool next_in_batch(std::string_view& batch, std::string_view& entry) {
    const auto colon = batch.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::size_t size = 0;
    for (std::size_t i = 0; i < colon; ++i) {
        if (batch[i] < '0' || batch[i] > '9' || size > (std::size_t(1) << 40)) return false;
        size = size * 10 + static_cast<std::size_t>(batch[i] - '0');
    }
    if (size > batch.size() - colon - 1) return false;
    entry = batch.substr(colon + 1, size);
    batch.remove_prefix(colon + 1 + size);
    return true;
}

bool valid_batch(std::string_view batch) {
    std::string_view entry;
    while (next_in_batch(batch, entry)) {
    }
    return batch.empty();
}

void append_to_batch(std::string& batch, std::string_view entry) {
    put_number(batch, static_cast<long long>(entry.size()));
    batch.append(entry);
}

void append_to_batch(std::string& batch, const ResultEntry& result) {
    // The length goes in front: written as a placeholder, the entry after it, then the
    // length filled in (no temporary copy of the entry).
    constexpr std::size_t kWidth = 10;  // digits: entries are < 10 GB
    const auto at = batch.size();
    batch.append(kWidth + 1, ':');
    append_result(batch, result);
    auto size = batch.size() - at - kWidth - 1;
    for (std::size_t i = kWidth; i-- > 0; size /= 10)
        batch[at + i] = static_cast<char>('0' + size % 10);
}

}  // namespace forkline::redis
