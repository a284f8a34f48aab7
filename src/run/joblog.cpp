#include "joblog.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "durable_file.hpp"
#include "os_error.hpp"
#include "output.hpp"
#include "sha256.hpp"
#include "tool.hpp"

namespace run {

namespace {

constexpr std::string_view kHeader =
    "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n";
constexpr std::string_view kInputMark = " #\\input=sha256:";
constexpr std::size_t kDigestDigits = 64;

std::string escaped_command(std::string_view command) {
    std::string named;  // the bytes with a name of their own, and backslash itself
    named.reserve(command.size());
    for (const char c : command) {
        switch (c) {
            case '\\':
                named += "\\\\";
                break;
            case '\t':
                named += "\\t";
                break;
            case '\n':
                named += "\\n";
                break;
            case '\r':
                named += "\\r";
                break;
            default:
                named += c;
        }
    }
    return cli::escaped(named);  // the other control bytes
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

Joblog::Joblog(const std::filesystem::path& path, JoblogSettings settings)
    : file_(open_for_writing(path,
                             settings.append ? OpenFor::appending : OpenFor::appending_to_empty)),
      path_(path),
      name_("joblog " + cli::quoted(path.string())),
      interval_(settings.sync_interval_s) {
    if (!file_.valid())
        forkline::throw_os_error("cannot open joblog " + cli::quoted(path.string()));
    struct stat status {};
    forkline::check_os(::fstat(file_.get(), &status), "cannot read " + name_);
    if (status.st_size == 0) cli::write_all(file_.get(), kHeader, name_);
}

void Joblog::write(const FinishedJob& job) {
    char numbers[256];
    std::snprintf(numbers, sizeof numbers, "\t%.3f\t%10.3f\t%zu\t%llu\t%d\t%d\t", job.start_unix_s,
                  job.duration_s, job.spec.input.size(),
                  static_cast<unsigned long long>(job.stdout_bytes),
                  job.timed_out ? -1 : job.exit_code, job.timed_out ? 15 : job.signal);
    // Host: the worker host's name (--redis), ":" for this one (as GNU parallel).
    const auto host = job.host.empty() ? std::string(":") : escaped_command(job.host);
    // One write(2) for the whole line (see the header).
    cli::write_all(file_.get(),
                   std::to_string(job.spec.seq) + "\t" + host + numbers +
                       joblog_command(job.spec.command, job.spec.input) + "\n",
                   name_);
    if (!unsynced_since_) unsynced_since_ = std::chrono::steady_clock::now();
    sync_if_due();
}

void Joblog::sync_if_due() {
    if (unsynced_since_ && std::chrono::steady_clock::now() - *unsynced_since_ >= interval_) sync();
}

void Joblog::sync() {
    if (!unsynced_since_) return;
    unsynced_since_.reset();
    if (before_sync_) before_sync_();
    if (const int error = sync_file_data(file_.get()); error != 0)
        throw cli::OutputError(name_, error);
    if (!directory_synced_) {
        directory_synced_ = true;
        sync_directory(path_.parent_path().empty() ? "." : path_.parent_path());
    }
}

std::string joblog_command(std::string_view command, std::string_view input) {
    auto column = escaped_command(command);
    if (!input.empty()) column += std::string(kInputMark) + sha256_hex(input);
    return column;
}

JoblogCommandParts joblog_command_parts(std::string_view column) {
    JoblogCommandParts parts;
    for (std::size_t i = 0; i < column.size(); ++i) {
        const auto rest = column.substr(i);
        if (rest.size() == kInputMark.size() + kDigestDigits && rest.starts_with(kInputMark) &&
            std::all_of(rest.begin() + kInputMark.size(), rest.end(),
                        [](char c) { return hex_value(c) >= 0; })) {
            parts.had_input = true;
            break;
        }
        if (column[i] != '\\' || i + 1 == column.size()) {
            parts.command += column[i];
            continue;
        }
        const char next = column[i + 1];
        const int high = i + 3 < column.size() ? hex_value(column[i + 2]) : -1;
        const int low = i + 3 < column.size() ? hex_value(column[i + 3]) : -1;
        if (next == '\\' || next == 't' || next == 'n' || next == 'r') {
            parts.command += next == 't' ? '\t' : next == 'n' ? '\n' : next == 'r' ? '\r' : '\\';
            ++i;
        } else if (next == 'x' && high >= 0 && low >= 0) {
            parts.command += static_cast<char>(high * 16 + low);
            i += 3;
        } else {
            parts.command += '\\';
        }
    }
    return parts;
}

}  // namespace run
