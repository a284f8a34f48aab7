// start_pipeline(): a running pipeline as a handle (fd, poll, wait with a deadline, kill,
// output read as it comes), and PipelineOptions::shell.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <forkline/pipeline.hpp>
#include <string>

#include "unique_fd.hpp"

using forkline::start_pipeline;
using namespace std::chrono_literals;

namespace {

// A pipe whose read end a stage opens as /dev/fd/N: the stage then waits on our writes.
struct ControlPipe {
    forkline::UniqueFd read;
    forkline::UniqueFd write;
    ControlPipe() {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        read = forkline::UniqueFd(fds[0]);
        write = forkline::UniqueFd(fds[1]);
    }
    std::string path() const { return "/dev/fd/" + std::to_string(read.get()); }
};

// Waits (bounded) until `fd` is readable.
bool readable_within(int fd, std::chrono::milliseconds timeout) {
    pollfd entry{fd, POLLIN, 0};
    return ::poll(&entry, 1, static_cast<int>(timeout.count())) == 1;
}

bool group_gone(pid_t group) {
    return ::kill(-group, 0) == -1 && errno == ESRCH;
}

}  // namespace

TEST_CASE("start_pipeline returns while the stages run; output is read as it comes") {
    ControlPipe control;
    auto pipeline =
        start_pipeline("sh -c 'echo first; read line; echo \"second $line\"' < " + control.path(),
                       {.capture_stdout = true});
    control.read.reset();  // the stage has its own copy
    std::string got;
    // The stage cannot end before we write its line: whatever we read until then is
    // incremental.
    while (got.size() < 6) {
        REQUIRE(readable_within(pipeline.fd(), 10s));
        got += pipeline.read_stdout();
    }
    CHECK(got == "first\n");
    CHECK_FALSE(pipeline.finished());
    CHECK(pipeline.process_group() > 0);
    REQUIRE(::write(control.write.get(), "go\n", 3) == 3);
    const auto result = pipeline.wait();
    CHECK(result.exit_code == 0);
    CHECK(result.stdout_data == "second go\n");  // what read_stdout() had not taken
    CHECK_THROWS_AS(pipeline.wait(), forkline::Error);
}

TEST_CASE("stderr is read as it comes too, separately from stdout") {
    ControlPipe control;
    auto pipeline = start_pipeline("sh -c 'echo oops >&2; echo out; read line' < " + control.path(),
                                   {.capture_stdout = true, .capture_stderr = true});
    control.read.reset();
    std::string err;
    while (err.empty()) {
        REQUIRE(readable_within(pipeline.fd(), 10s));
        err += pipeline.read_stderr();
    }
    CHECK(err == "oops\n");
    CHECK_FALSE(pipeline.finished());
    control.write.reset();  // EOF: the read ends, so does the stage
    const auto result = pipeline.wait();
    CHECK(result.stderr_data.empty());
    CHECK(result.stdout_data == "out\n");  // never taken by read_stdout()
}

TEST_CASE("the handle's fd becomes readable when a stage exits; poll() then ends it") {
    auto pipeline = start_pipeline("true");
    bool ended = false;
    for (int rounds = 0; rounds < 100 && !ended; ++rounds) {
        REQUIRE(readable_within(pipeline.fd(), 10s));
        ended = pipeline.poll();
    }
    CHECK(ended);
    CHECK(pipeline.finished());
    CHECK(pipeline.wait().exit_code == 0);
}

TEST_CASE("wait(deadline) returns false while the pipeline runs, and stops nothing") {
    auto pipeline = start_pipeline("sleep 100");
    CHECK_FALSE(pipeline.wait(std::chrono::steady_clock::now() + 20ms));
    CHECK_FALSE(pipeline.wait(std::chrono::steady_clock::now() - 1s));  // past: just a poll
    CHECK_FALSE(pipeline.finished());
    pipeline.kill();
    CHECK(pipeline.wait(std::chrono::steady_clock::now() + 60s));
    const auto result = pipeline.wait();
    CHECK(result.stages.at(0).signal == SIGKILL);
    CHECK(result.exit_code == 128 + SIGKILL);
    CHECK_FALSE(result.timed_out);
}

TEST_CASE("wait(deadline) with the farthest deadline waits for the end") {
    auto pipeline = start_pipeline("true");
    CHECK(pipeline.wait(std::chrono::steady_clock::time_point::max()));
    CHECK(pipeline.wait().exit_code == 0);
}

TEST_CASE("kill(SIGTERM) reaches every stage; output read so far is kept") {
    auto pipeline = start_pipeline("sh -c 'echo partial; exec sleep 100' | cat",
                                   {.capture_stdout = true, .grace = 60s});
    std::string got;
    while (got.empty()) {
        REQUIRE(readable_within(pipeline.fd(), 10s));
        got += pipeline.read_stdout();
    }
    pipeline.kill(SIGTERM);
    const auto result = pipeline.wait();
    CHECK(got + result.stdout_data == "partial\n");
    CHECK(result.stages.at(0).signal == SIGTERM);
}

TEST_CASE("a handle's timeout ends the pipeline as run_pipeline's does") {
    auto pipeline = start_pipeline("sleep 100", {.timeout = 50ms, .grace = 50ms});
    const auto result = pipeline.wait();
    CHECK(result.timed_out);
    CHECK(result.exit_code == 124);
}

TEST_CASE("a handle destroyed before the end kills and reaps its stages and their group") {
    pid_t group = 0;
    {
        auto pipeline = start_pipeline("sleep 100 | sleep 100");
        group = pipeline.process_group();
        REQUIRE(group > 0);
    }
    CHECK(group_gone(group));
}

TEST_CASE("handles can be moved, and several run at once") {
    auto a = start_pipeline("printf a", {.capture_stdout = true});
    auto b = start_pipeline("printf b", {.capture_stdout = true});
    auto moved = std::move(a);
    CHECK(b.wait().stdout_data == "b");
    CHECK(moved.wait().stdout_data == "a");
}

TEST_CASE("shell option: what the parser refuses as 'needs --shell' runs under /bin/sh -c") {
    const std::string command = "x=$((1 + 2)); echo $x | tr 3 y && echo done";
    CHECK_THROWS_WITH_AS(forkline::run_pipeline(command), doctest::Contains("needs --shell"),
                         forkline::ParseError);
    const auto result = forkline::run_pipeline(command, {.capture_stdout = true, .shell = true});
    CHECK(result.exit_code == 0);
    CHECK(result.stdout_data == "y\ndone\n");
    REQUIRE(result.stages.size() == 1);
    CHECK(result.stages[0].argv == std::vector<std::string>{"/bin/sh", "-c", command});
    CHECK(forkline::run_pipeline("exit 7", {.shell = true}).exit_code == 7);
    CHECK_THROWS_AS(forkline::run_pipeline(std::vector{forkline::Stage{{"true"}}}, {.shell = true}),
                    forkline::Error);
}
