// What --tag and --tagstring put before each line of a job's output, as GNU parallel does:
// the tag, then a TAB, on stdout and stderr lines alike.
#pragma once

#include <string>
#include <string_view>

#include "command_template.hpp"
#include "job_source.hpp"

namespace run {

// The prefix of `job`'s lines: `tag` (the --tagstring, or "{}" for --tag: the arguments
// joined by spaces) expanded as text (CommandTemplate::expand_text: the arguments inserted
// as they are), then a TAB. A job without arguments (a whole command line) has its command
// as its argument. `slot` is the job's {%}. A tag that asks for an argument the job lacks
// ({3} with 2 columns) is empty.
std::string job_tag(const CommandTemplate& tag, const JobSpec& job, unsigned slot);

// Puts a prefix before every line of a stream that comes in blocks; a line cut between
// two blocks gets it once, and an empty prefix changes nothing.
class LinePrefixer {
  public:
    explicit LinePrefixer(std::string prefix) : prefix_(std::move(prefix)) {}

    bool active() const { return !prefix_.empty(); }

    // Appends `block` to `out`, the prefix before each line that starts in it.
    void add(std::string_view block, std::string& out);

  private:
    std::string prefix_;
    bool line_start_ = true;  // the next byte starts a line
};

}  // namespace run
