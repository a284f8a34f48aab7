// Jobs that are lines of an input: a whole command (a pipeline) per line, or one JSON object
// per line ({"cmd": "...", "timeout": 5, "input": "..."}), read as the lines arrive.
#pragma once

#include "job_source.hpp"
#include "record_reader.hpp"

namespace run {

class LineJobs final : public JobStream {
  public:
    enum class Format {
        commands,   // blank lines and # comments skipped; a trailing \r dropped
        json_lines  // blank lines skipped
    };
    LineJobs(RecordReader lines, Format format);

    std::optional<JobSpec> next() override;
    bool ended() const override { return lines_.ended(); }
    int wait_fd() const override { return lines_.fd(); }

  private:
    RecordReader lines_;
    Format format_;
};

// One JSON line (number `line_number`) as a job, or a job with the error.
JobSpec job_from_json(const std::string& line, std::size_t line_number);

}  // namespace run
