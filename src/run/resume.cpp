#include "resume.hpp"

#include <algorithm>
#include <cstdio>
#include <forkline/error.hpp>
#include <fstream>
#include <functional>
#include <map>
#include <utility>

#include "joblog.hpp"
#include "joblog_reader.hpp"
#include "tool.hpp"

namespace run {

namespace {

std::string joblog_name(const std::filesystem::path& path) {
    return "joblog " + cli::quoted(path.string());
}

// Reads the joblog at `path` (missing: nothing) into `entry`. With `repair`, an ignored
// last line is reported on stderr and cut off.
void scan(const std::filesystem::path& path, bool repair,
          const std::function<void(JoblogEntry&&)>& entry) {
    const auto name = joblog_name(path);
    std::error_code error;
    if (!std::filesystem::exists(path, error)) return;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw forkline::Error("cannot read " + name);
    const auto result = read_joblog(in, name, entry);
    if (in.bad()) throw forkline::Error("cannot read " + name);
    if (!repair || result.ignored.empty()) return;
    std::fprintf(stderr, "forkline run: warning: %s %s: ignored\n", name.c_str(),
                 result.ignored.c_str());
    std::filesystem::resize_file(path, result.valid_bytes, error);
    if (error)
        throw forkline::Error("cannot cut the last line of " + name + ": " + error.message());
}

}  // namespace

ResumeFilter::ResumeFilter(const RunOptions& options) : mode_(options.resume) {
    if (!options.joblog || !options.joblog_append) return;
    // --resume does not look at Exitval (as GNU parallel); --resume-failed runs failed jobs.
    const bool every_line_done = mode_ == RunOptions::Resume::resume;
    // (Command field, Seq) of every line that counts, then the distinct Seqs per command.
    std::vector<std::pair<std::string, std::uint64_t>> lines;
    scan(*options.joblog, true, [&](JoblogEntry&& entry) {
        if (mode_ == RunOptions::Resume::retry_failed) {
            if (entry.success()) done_seqs_.insert(entry.seq);
        } else if (mode_ != RunOptions::Resume::none && (every_line_done || entry.success())) {
            lines.emplace_back(std::move(entry.command), entry.seq);
        }
    });
    std::sort(lines.begin(), lines.end());
    lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
    for (auto& line : lines) ++done_[std::move(line.first)];
}

bool ResumeFilter::skip(std::uint64_t seq, std::string_view command, std::string_view input) {
    bool done = false;
    if (mode_ == RunOptions::Resume::retry_failed) {
        done = done_seqs_.contains(seq);
    } else if (mode_ != RunOptions::Resume::none && !done_.empty()) {
        const auto found = done_.find(joblog_command(command, input));
        done = found != done_.end() && found->second > 0;
        if (done) --found->second;
    }
    skipped_ += done ? 1 : 0;
    return done;
}

std::vector<JobSpec> jobs_to_retry(const std::filesystem::path& joblog) {
    struct Last {
        std::string command;  // the Command field of the Seq's last line
        std::size_t line = 0;
        bool done = false;  // any of its lines succeeded
    };
    std::map<std::uint64_t, Last> by_seq;
    if (!std::filesystem::exists(joblog))
        throw forkline::Error("--retry-failed: no " + joblog_name(joblog));
    scan(joblog, false, [&](JoblogEntry&& entry) {
        auto& last = by_seq[entry.seq];
        last.command = std::move(entry.command);
        last.line = entry.line;
        last.done = last.done || entry.success();
    });
    std::vector<JobSpec> jobs;
    for (auto& [seq, last] : by_seq) {
        auto parts = joblog_command_parts(last.command);
        if (parts.had_input && !last.done) {
            throw forkline::Error(joblog_name(joblog) + " line " + std::to_string(last.line) +
                                  ": job " + std::to_string(seq) +
                                  " had stdin input, which a joblog does not keep (only its "
                                  "digest): run its job list again with --resume-failed");
        }
        JobSpec job;
        job.seq = seq;
        job.command = std::move(parts.command);
        jobs.push_back(std::move(job));
    }
    return jobs;
}

}  // namespace run
