// --resume, --resume-failed, --retry-failed: which jobs a run skips because its joblog
// (the journal, joblog.hpp) says they are done.
//
// GNU parallel matches a joblog line to a job by its Seq alone, so a changed input list
// runs the wrong jobs. forkline matches by the job's Command field (joblog_command(): the
// expanded command and, if it has stdin input, that input's SHA-256), so a changed input
// list re-runs exactly the new or changed jobs. Identical jobs (same command and input)
// are counted: if the joblog has N of them done (N different Seqs), the first N are
// skipped. --retry-failed takes its jobs from the joblog itself, so there Seq is exact.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "job_source.hpp"
#include "run_options.hpp"

namespace run {

class ResumeFilter {
  public:
    // When `options` append to the joblog (--joblog +FILE or a resume mode) it reads it:
    // collects what is done (resume modes), warns on stderr about an ignored last line
    // (joblog_reader.hpp) and cuts that line off, so that the run's lines follow the last
    // good one. A missing joblog is an empty one. Throws forkline::Error for a bad line
    // before the last, forkline::OsError when the joblog cannot be read or cut.
    explicit ResumeFilter(const RunOptions& options);

    // True when the joblog has this job done: the run skips it. Ask once per job, with its
    // command as it would run and its stdin input.
    bool skip(std::uint64_t seq, std::string_view command, std::string_view input);

    std::size_t skipped() const { return skipped_; }

  private:
    RunOptions::Resume mode_;
    std::unordered_map<std::string, std::uint64_t> done_;  // Command field -> done, not skipped
    std::unordered_set<std::uint64_t> done_seqs_;          // --retry-failed
    std::size_t skipped_ = 0;
};

// --retry-failed: the jobs of `joblog`, one per Seq (with the command of its last line),
// in Seq order; ResumeFilter then skips those done. Throws forkline::Error when a failed
// job had stdin input (a joblog keeps only its digest) or the joblog cannot be read.
std::vector<JobSpec> jobs_to_retry(const std::filesystem::path& joblog);

}  // namespace run
