#include "halt_policy.hpp"

#include <algorithm>
#include <cmath>

#include "option_numbers.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace run {

namespace {

using When = HaltCondition::When;
using Why = HaltCondition::Why;

// Far past any use; the count is compared with job counts.
constexpr unsigned long long kMaxHaltCount = 1'000'000'000;

cli::UsageError bad_halt(const std::string& text) {
    return cli::UsageError(
        "--halt needs never, or now|soon,fail|success|done=N or =N% (N% of all the jobs), or "
        "GNU's 0, 1, 2, -1, -2, N%; not " +
        cli::quoted(text));
}

int percent_of(std::size_t part, std::size_t whole) {
    return whole == 0 ? 0
                      : static_cast<int>(std::ceil(static_cast<double>(part) * 100.0 /
                                                   static_cast<double>(whole)));
}

}  // namespace

HaltCondition parse_halt(const std::string& given) {
    std::string text = given;
    if (text == "0") text = "never";
    if (text == "1") text = "soon,fail=1";
    if (text == "2") text = "now,fail=1";
    if (text == "-1") text = "soon,success=1";
    if (text == "-2") text = "now,success=1";
    if (text.ends_with('%') && text.find(',') == std::string::npos) text = "soon,fail=" + text;
    HaltCondition condition;
    if (text == "never") return condition;
    const auto comma = text.find(',');
    const auto equals = text.find('=', comma == std::string::npos ? 0 : comma);
    if (comma == std::string::npos || equals == std::string::npos) throw bad_halt(given);
    const auto when = text.substr(0, comma);
    const auto why = text.substr(comma + 1, equals - comma - 1);
    auto number = text.substr(equals + 1);
    if (when == "now") {
        condition.when = When::now;
    } else if (when == "soon") {
        condition.when = When::soon;
    } else {
        throw bad_halt(given);
    }
    if (why == "fail") {
        condition.why = Why::fail;
    } else if (why == "success") {
        condition.why = Why::success;
    } else if (why == "done") {
        condition.why = Why::done;
    } else {
        throw bad_halt(given);
    }
    if (number.ends_with('%')) {
        number.pop_back();
        condition.percent = cli::parse_real("--halt " + why + "=N%", number, 0, 100);
        if (condition.percent <= 0) throw bad_halt(given);
    } else {
        condition.count =
            cli::parse_count_as<unsigned>("--halt " + why + "=", number, 1, kMaxHaltCount);
    }
    return condition;
}

HaltPolicy::Action HaltPolicy::finished(int status, std::optional<std::size_t> total) {
    if (status == 0) {
        ++succeeded_;
    } else {
        ++failed_;
    }
    if (condition_.when == When::never || status_) return Action::go_on;
    const std::size_t done = failed_ + succeeded_;
    std::size_t counted = done;
    if (condition_.why == Why::fail) {
        if (status == 0) return Action::go_on;  // only a failure can meet it (as GNU)
        counted = failed_;
    } else if (condition_.why == Why::success) {
        if (status != 0) return Action::go_on;
        counted = succeeded_;
    }
    if (condition_.percent > 0) {
        // N% of all the jobs: unknown while the input is still being read.
        if (!total) return Action::go_on;
        if (static_cast<double>(counted) < static_cast<double>(*total) * condition_.percent / 100)
            return Action::go_on;
        status_ = condition_.why == Why::success ? 0 : percent_of(failed_, *total);
    } else {
        if (counted < condition_.count) return Action::go_on;
        if (condition_.why == Why::success) {
            status_ = 0;
        } else if (condition_.count == 1) {
            status_ = status;  // the job that made it halt, as a shell reports it
        } else {
            status_ = static_cast<int>(std::min<std::size_t>(failed_, 101));
        }
    }
    return condition_.when == When::now ? Action::cancel_running : Action::stop_starting;
}

int HaltPolicy::exit_status(std::size_t failed, std::size_t done) const {
    if (status_) return *status_;
    if (condition_.when != When::never && condition_.percent > 0) return percent_of(failed, done);
    return static_cast<int>(std::min<std::size_t>(failed, 101));
}

}  // namespace run
