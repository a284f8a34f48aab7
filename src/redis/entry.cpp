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

// Appends "<number>:" (built by append, not operator+: GCC 12 warns falsely on "J" + s).
void put_number(std::string& out, long long value) {
    out.append(std::to_string(value));
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
    std::string entry(1, 'J');
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
    std::string entry(1, 'R');
    put_number(entry, static_cast<long long>(r.id));
    put_number(entry, r.attempts);
    put_number(entry, static_cast<int>(r.status));
    put_number(entry, r.elapsed.count());
    put_number(entry, r.worker_exit.code);
    put_number(entry, r.worker_exit.signal);
    put_number(entry, static_cast<long long>(r.exception_type.size()));
    entry += r.exception_type;
    entry += r.data;
    return entry;
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

}  // namespace forkline::redis
