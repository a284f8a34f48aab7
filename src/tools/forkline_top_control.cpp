#include "forkline_top_control.hpp"

#include <cstdio>
#include <forkline/error.hpp>
#include <string>

#include "control_client.hpp"
#include "option_numbers.hpp"
#include "usage_error.hpp"

namespace {

// Only one request at a time: a second option names the first.
void only_one(const TopControl& control, const char* option) {
    if (!control.given()) return;
    const char* first = control.cancel ? "--cancel" : control.pause ? "--pause" : "--resume";
    throw cli::UsageError(std::string(first) + " and " + option + " cannot both be given");
}

}  // namespace

std::vector<cli::Option> top_control_options(TopControl& control) {
    return {
        {"cancel", 0, true,
         [&](const std::string& job) {
             only_one(control, "--cancel");
             control.cancel = cli::parse_count("--cancel", job, 0, UINT64_MAX);
         }},
        {"pause", 0, false,
         [&](const std::string&) {
             only_one(control, "--pause");
             control.pause = true;
         }},
        {"resume", 0, false,
         [&](const std::string&) {
             only_one(control, "--resume");
             control.resume = true;
         }},
    };
}

int run_top_control(pid_t pid, const TopControl& control) {
    using Kind = forkline::control::Request::Kind;
    forkline::control::Request request;
    request.kind = control.cancel ? Kind::cancel : control.pause ? Kind::pause : Kind::resume;
    request.job = control.cancel.value_or(0);
    const auto channel = forkline::control::channel_of(pid);
    const auto reply = forkline::control::send(channel, request);
    const auto pool = "pool " + std::to_string(channel.supervisor);
    if (!reply.ok) throw forkline::Error(pool + ": " + reply.message);
    const auto said = !reply.message.empty() ? reply.message : reply.paused ? "paused" : "running";
    std::printf("%s: %s\n", pool.c_str(), said.c_str());
    return 0;
}
