#include "job_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

#include "exit_status.hpp"
#include "open_file.hpp"
#include "output.hpp"
#include "output_tag.hpp"
#include "tool.hpp"
#include "unique_fd.hpp"
#include "utf8_path.hpp"

namespace run {

namespace {

constexpr const char* kStdout = "standard output";
constexpr const char* kStderr = "standard error";

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Reads a job's output file, removed first (unless --results keeps it) so that nothing is
// left behind should the reading or the writing of it fail; `consume` gets each block.
template <typename Consume>
void take_file(const std::filesystem::path& path, bool keep, Consume consume) {
    if (path.empty()) return;
    const forkline::UniqueFd file = forkline::open_for_reading(forkline::utf8_string(path));
    std::error_code ignored;
    if (!keep) std::filesystem::remove(path, ignored);
    if (!file.valid()) return;
    char buffer[65536];
    for (ssize_t n; (n = ::read(file.get(), buffer, sizeof buffer)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return;
        consume(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
}

std::string slurp_output(const std::filesystem::path& path, bool keep) {
    std::string text;
    take_file(path, keep, [&](std::string_view block) { text += block; });
    return text;
}

void discard(const FinishedJob& job) {
    if (job.keep_files) return;
    std::error_code ignored;
    if (!job.out_path.empty()) std::filesystem::remove(job.out_path, ignored);
    if (!job.err_path.empty()) std::filesystem::remove(job.err_path, ignored);
}

// One of a job's outputs, from memory then from its file, each line after the job's tag.
void print_output(const FinishedJob& job, std::string_view data, const std::filesystem::path& file,
                  int fd, const char* name) {
    LinePrefixer prefixer(job.tag);
    std::string tagged;
    const auto write = [&](std::string_view block) {
        if (job.tag.empty()) return cli::write_all(fd, block, name);
        tagged.clear();
        prefixer.add(block, tagged);
        cli::write_all(fd, tagged, name);
    };
    write(data);
    take_file(file, job.keep_files, write);
}

std::size_t held_size(const FinishedJob& job) {
    return job.stdout_data.size() + job.stderr_data.size() + job.spec.command.size();
}

}  // namespace

std::string signal_name(int signal) {
    return forkline::signal_name(signal);
}

JobReport::JobReport(const RunOptions& options)
    : options_(options),
      show_progress_(options.progress.value_or(::isatty(STDERR_FILENO) != 0)),
      started_at_(now_s()) {
    if (options.joblog)
        joblog_.emplace(*options.joblog, JoblogSettings{.append = options.joblog_append,
                                                        .sync_interval_s = options.joblog_sync_s});
}

void JobReport::finished(FinishedJob job) {
    ++done_;
    skipped_ += job.replayed ? 1 : 0;
    failed_ += job.replayed || job.success() ? 0 : 1;  // an earlier run's failure is not ours
    if (!writing_) {
        discard(job);
        return;
    }
    if (joblog_ && !job.replayed && !job.cancelled) joblog_->write(job);
    if (!options_.keep_order) {
        print(job);
    } else {
        held_bytes_ += held_size(job);
        held_.emplace(job.spec.seq, std::move(job));
        for (auto it = held_.find(next_to_print_); it != held_.end();
             it = held_.find(++next_to_print_)) {
            held_bytes_ -= held_size(it->second);
            print(it->second);
            held_.erase(it);
        }
    }
}

void JobReport::print(const FinishedJob& job) {
    clear_progress();
    if (options_.json) {
        if (!job.replayed) print_json(job);  // the joblog has the done job's numbers
        return;
    }
    if (!job.error.empty())
        cli::write_all(STDERR_FILENO, "forkline run: " + job.error + "\n", kStderr);
    // Else a killed job would fail without a word (GNU warns too).
    if (job.timed_out || job.cancelled_on_request) {
        cli::write_all(STDERR_FILENO,
                       "forkline run: job " + std::to_string(job.spec.seq) +
                           (job.timed_out ? " timed out: " : " cancelled: ") +
                           cli::quoted(job.spec.command) + "\n",
                       kStderr);
    }
    print_output(job, job.stdout_data, job.out_path, STDOUT_FILENO, kStdout);
    print_output(job, job.stderr_data, job.err_path, STDERR_FILENO, kStderr);
}

void JobReport::print_json(const FinishedJob& job) {
    nlohmann::json line{
        {"seq", job.spec.seq},
        {"command", job.spec.command},
        {"exit_code", job.exit_code},
        {"signal", job.signal != 0 ? nlohmann::json(signal_name(job.signal)) : nlohmann::json()},
        {"timed_out", job.timed_out},
        {"cancelled", job.cancelled_on_request},
        {"attempts", job.attempts},
        {"duration", job.duration_s},
        {"stdout", job.stdout_data + slurp_output(job.out_path, job.keep_files)},
        {"stderr", job.error.empty() ? job.stderr_data + slurp_output(job.err_path, job.keep_files)
                                     : job.error + "\n"},
    };
    if (!job.host.empty()) line["host"] = job.host;  // --redis: the worker host that ran it
    cli::write_all(STDOUT_FILENO,
                   line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                   kStdout);
}

void JobReport::update_progress(std::size_t running, bool force, bool paused) {
    if (joblog_ && writing_) joblog_->sync_if_due();
    if (!show_progress_ || !writing_) return;
    const double now = now_s();
    if (!force && now - last_progress_ < 0.1) return;
    last_progress_ = now;
    const double elapsed = now - started_at_;
    const double rate = elapsed > 0 ? static_cast<double>(done_ - skipped_) / elapsed : 0;
    char total[32] = "";  // "/TOTAL" once known
    char eta[32] = "";
    if (total_) {
        std::snprintf(total, sizeof total, "/%zu", *total_);
        if (rate > 0) {
            std::snprintf(eta, sizeof eta, ", ETA %.0fs",
                          static_cast<double>(*total_ - std::min(*total_, done_)) / rate);
        } else {
            std::snprintf(eta, sizeof eta, ", ETA ?");
        }
    }
    char skipped[48] = "";
    if (skipped_ != 0) std::snprintf(skipped, sizeof skipped, ", %zu skipped", skipped_);
    char line[224];
    const int n = std::snprintf(
        line, sizeof line, "\r\033[K%zu%s done%s, %zu running, %zu failed, %.1f jobs/s%s%s", done_,
        total, skipped, running, failed_, rate, eta, paused ? ", paused" : "");
    cli::write_all(STDERR_FILENO,
                   std::string_view(line, static_cast<std::size_t>(
                                              std::clamp(n, 0, static_cast<int>(sizeof line) - 1))),
                   kStderr);
    progress_shown_ = true;
}

void JobReport::clear_progress() {
    if (!progress_shown_) return;
    progress_shown_ = false;
    cli::write_all(STDERR_FILENO, "\r\033[K", kStderr);
}

void JobReport::stop_writing() {
    writing_ = false;
    // The error message comes next: on a line of its own, if the terminal still takes it.
    if (progress_shown_) {
        [[maybe_unused]] const auto n = ::write(STDERR_FILENO, "\r\033[K", 4);
        progress_shown_ = false;
    }
}

void JobReport::close() {
    if (writing_) {
        for (auto& [seq, job] : held_) print(job);  // only after an interruption: gaps remain
    } else {
        for (auto& [seq, job] : held_) discard(job);
    }
    held_.clear();
    held_bytes_ = 0;
    if (!writing_) return;
    clear_progress();
    if (joblog_) joblog_->sync();
    if (skipped_ != 0) {
        cli::write_all(STDERR_FILENO,
                       "forkline run: " + std::to_string(skipped_) + " skipped (done in joblog " +
                           cli::quoted(options_.joblog->string()) + ")\n",
                       kStderr);
    }
}

}  // namespace run
