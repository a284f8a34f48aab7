#include "job_report.hpp"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace run {

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const auto n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

// Copies a job's output file to `fd` and removes it.
void pass_on(const std::filesystem::path& path, int fd) {
    if (path.empty()) return;
    if (std::FILE* file = std::fopen(path.c_str(), "rbe")) {
        char buffer[65536];
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;)
            write_all(fd, buffer, n);
        std::fclose(file);
    }
    std::filesystem::remove(path);
}

std::string slurp_and_remove(const std::filesystem::path& path) {
    std::string text;
    if (path.empty()) return text;
    if (std::FILE* file = std::fopen(path.c_str(), "rbe")) {
        char buffer[65536];
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;)
            text.append(buffer, n);
        std::fclose(file);
    }
    std::filesystem::remove(path);
    return text;
}

std::string signal_name(int signal) {
    const char* abbrev = ::sigabbrev_np(signal);
    return abbrev != nullptr ? std::string("SIG") + abbrev : std::to_string(signal);
}

}  // namespace

JobReport::JobReport(const RunOptions& options, std::size_t total)
    : options_(options),
      total_(total),
      show_progress_(options.progress.value_or(::isatty(STDERR_FILENO) != 0)),
      started_at_(now_s()) {
    if (options.joblog) {
        joblog_.open(*options.joblog, std::ios::trunc);
        if (!joblog_)
            throw std::runtime_error("cannot write joblog '" + options.joblog->string() +
                                     "': " + std::strerror(errno));
        joblog_ << "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"
                << std::flush;
    }
}

void JobReport::finished(FinishedJob job) {
    ++done_;
    failed_ += job.success() ? 0 : 1;
    write_joblog(job);
    if (!options_.keep_order) {
        print(job);
    } else {
        held_.emplace(job.spec->seq, std::move(job));
        for (auto it = held_.find(next_to_print_); it != held_.end();
             it = held_.find(++next_to_print_)) {
            print(it->second);
            held_.erase(it);
        }
    }
}

void JobReport::print(const FinishedJob& job) {
    clear_progress();
    if (options_.json) {
        print_json(job);
        return;
    }
    if (!job.error.empty()) {
        const std::string message = "forkline run: " + job.error + "\n";
        write_all(STDERR_FILENO, message.data(), message.size());
    }
    write_all(STDOUT_FILENO, job.stdout_data.data(), job.stdout_data.size());
    write_all(STDERR_FILENO, job.stderr_data.data(), job.stderr_data.size());
    pass_on(job.out_path, STDOUT_FILENO);
    pass_on(job.err_path, STDERR_FILENO);
}

void JobReport::print_json(const FinishedJob& job) {
    const nlohmann::json line{
        {"seq", job.spec->seq},
        {"command", job.spec->command},
        {"exit_code", job.exit_code},
        {"signal", job.signal != 0 ? nlohmann::json(signal_name(job.signal)) : nlohmann::json()},
        {"timed_out", job.timed_out},
        {"attempts", job.attempts},
        {"duration", job.duration_s},
        {"stdout", job.stdout_data + slurp_and_remove(job.out_path)},
        {"stderr",
         job.error.empty() ? job.stderr_data + slurp_and_remove(job.err_path) : job.error + "\n"},
    };
    const auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    write_all(STDOUT_FILENO, text.data(), text.size());
}

// GNU parallel's columns and values: a timed-out job has Exitval -1 and Signal 15.
void JobReport::write_joblog(const FinishedJob& job) {
    if (!joblog_.is_open()) return;
    char start[32];
    char runtime[32];
    std::snprintf(start, sizeof start, "%.3f", job.start_unix_s);
    std::snprintf(runtime, sizeof runtime, "%10.3f", job.duration_s);
    std::string command = job.spec->command;
    for (auto& c : command) c = c == '\n' ? '\0' : c;  // as parallel: one line per job
    joblog_ << job.spec->seq << "\t:\t" << start << '\t' << runtime << '\t'
            << job.spec->input.size() << '\t' << job.stdout_bytes << '\t'
            << (job.timed_out ? -1 : job.exit_code) << '\t' << (job.timed_out ? 15 : job.signal)
            << '\t' << command << '\n'
            << std::flush;
}

void JobReport::update_progress(std::size_t running, bool force) {
    if (!show_progress_) return;
    const double now = now_s();
    if (!force && now - last_progress_ < 0.1) return;
    last_progress_ = now;
    const double elapsed = now - started_at_;
    const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0;
    char eta[32] = "?";
    if (rate > 0)
        std::snprintf(eta, sizeof eta, "%.0fs", static_cast<double>(total_ - done_) / rate);
    char line[160];
    const int n = std::snprintf(
        line, sizeof line, "\r\033[K%zu/%zu done, %zu running, %zu failed, %.1f jobs/s, ETA %s",
        done_, total_, running, failed_, rate, eta);
    write_all(
        STDERR_FILENO, line,
        static_cast<std::size_t>(std::max(0, std::min(n, static_cast<int>(sizeof line) - 1))));
    progress_shown_ = true;
}

void JobReport::clear_progress() {
    if (!progress_shown_) return;
    write_all(STDERR_FILENO, "\r\033[K", 4);
    progress_shown_ = false;
}

void JobReport::close() {
    for (auto& [seq, job] : held_) print(job);  // only after an interruption: gaps remain
    held_.clear();
    clear_progress();
}

}  // namespace run
