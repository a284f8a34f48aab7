#include "joblog_reader.hpp"

#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

#include <forkline/error.hpp>

namespace run {

namespace {

constexpr std::string_view kHeader =
    "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand";

template <typename Number>
bool parse_number(std::string_view text, Number& value) {
    const auto* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    return error == std::errc() && stop == end && !text.empty();
}

bool is_real(std::string_view text) {
    const auto first = text.find_first_not_of(' ');  // JobRuntime is %10.3f
    if (first == std::string_view::npos) return false;
    double value = 0;
    return parse_number(text.substr(first), value);
}

// One line into `entry`, or why it is not a joblog line.
std::optional<std::string> parse_line(std::string_view line, JoblogEntry& entry) {
    std::vector<std::string_view> fields;
    while (fields.size() < 8) {
        const auto tab = line.find('\t');
        if (tab == std::string_view::npos) return "fewer than 9 tab-separated fields";
        fields.push_back(line.substr(0, tab));
        line.remove_prefix(tab + 1);
    }
    std::uint64_t bytes = 0;
    if (!parse_number(fields[0], entry.seq) || entry.seq == 0) return "Seq is not a job number";
    if (fields[1].empty()) return "Host is empty";
    if (!is_real(fields[2]) || !is_real(fields[3]))
        return "Starttime or JobRuntime is not a number";
    if (!parse_number(fields[4], bytes) || !parse_number(fields[5], bytes))
        return "Send or Receive is not a byte count";
    if (!parse_number(fields[6], entry.exit_value) || !parse_number(fields[7], entry.signal))
        return "Exitval or Signal is not a number";
    entry.command = line;
    return std::nullopt;
}

}  // namespace

JoblogScan read_joblog(std::istream& in, const std::string& name,
                       const std::function<void(JoblogEntry&&)>& entry) {
    JoblogScan scan;
    std::uint64_t offset = 0;
    std::optional<std::string> bad;  // the last line read was bad: fatal if another follows
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        if (bad) throw forkline::Error(name + " " + *bad);
        const bool whole = !in.eof();  // it ended with its newline
        const auto where = "line " + std::to_string(number) + ": ";
        JoblogEntry parsed;
        parsed.line = number;
        if (!whole) {
            bad = where + "cut short (no newline at its end)";
            continue;
        }
        if (const auto why =
                number == 1 && line == kHeader ? std::nullopt : parse_line(line, parsed)) {
            bad = where + "not a joblog line (" + *why + ")";
            continue;
        }
        offset += line.size() + 1;
        scan.valid_bytes = offset;
        if (parsed.seq != 0) entry(std::move(parsed));
    }
    if (bad) scan.ignored = *bad;
    return scan;
}

}  // namespace run
