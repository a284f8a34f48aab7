// A pool's control channel (src/forkline/control_*.hpp): `forkline top PID --cancel JOB |
// --pause | --resume` and its client API, on an embedding pool and on `forkline run`.
// No job may start while a pool is paused: seen by the jobs' own start markers.
#include <doctest/doctest.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <forkline/forkline.hpp>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "control_client.hpp"
#include "other_user.hpp"
#include "processes.hpp"
#include "run_command.hpp"
#include "shared_counters.hpp"

using namespace std::chrono_literals;
using forkline::control::Reply;
using forkline::control::Request;
using test_support::SharedCounters;

namespace {

constexpr auto kPatience = 10s;  // the bound of every wait below

std::filesystem::path scratch() {
    static const std::filesystem::path dir = test_support::scratch_directory("forkline-control");
    return dir;
}

std::string contents(const std::filesystem::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Waits (bounded) until `ready()`; false if it never was.
template <typename Ready>
bool eventually(Ready ready) {
    for (auto end = std::chrono::steady_clock::now() + kPatience;
         std::chrono::steady_clock::now() < end; std::this_thread::sleep_for(5ms)) {
        if (ready()) return true;
    }
    return ready();
}

// Sends `request` to this process's pool from another thread while this one keeps the
// pool answering: a pool answers on its own thread, inside its calls (here poll()).
Reply ask(forkline::Pool& pool, Request request) {
    auto reply = std::async(std::launch::async, [request] {
        return forkline::control::send(forkline::control::channel_of(::getpid()), request);
    });
    while (reply.wait_for(0ms) != std::future_status::ready) pool.poll(10ms);
    return reply.get();
}

Reply ask(forkline::Pool& pool, Request::Kind kind, std::uint64_t job = 0) {
    return ask(pool, Request{kind, job});
}

// A job (its index) that marks its start, then runs until `gate` opens (bounded).
forkline::JobHandler gated_handler(const SharedCounters& started, const SharedCounters& gate) {
    return [&started, &gate](std::span<const std::byte> job, std::span<std::byte> out) {
        std::uint64_t index = 0;
        std::memcpy(&index, job.data(), sizeof index);
        ++started[index];
        for (int i = 0; i < 10000 && gate[0] == 0; ++i) std::this_thread::sleep_for(1ms);
        std::memcpy(out.data(), &index, sizeof index);
        return sizeof index;
    };
}

std::uint32_t total(const SharedCounters& counters, std::size_t count) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < count; ++i) sum += counters[i];
    return sum;
}

// Runs `forkline run ARGS` in the background, its stdout and stderr into files; without a
// progress line unless ARGS start with --progress.
struct BackgroundRun {
    explicit BackgroundRun(const std::string& name, const std::vector<std::string>& args)
        : out(scratch() / (name + ".out")), err(scratch() / (name + ".err")) {
        std::string command = "exec " + test_support::shell_quoted(FORKLINE_PATH) + " run";
        if (args.empty() || args[0] != "--progress") command += " --no-progress";
        for (const auto& arg : args) command.append(" ").append(test_support::shell_quoted(arg));
        command.append(" >").append(test_support::shell_quoted(out.string()));
        command.append(" 2>").append(test_support::shell_quoted(err.string()));
        pid = test_support::start_command({"/bin/sh", "-c", command});
    }
    ~BackgroundRun() {
        if (pid > 0) finish(SIGKILL);
    }
    BackgroundRun(const BackgroundRun&) = delete;
    BackgroundRun& operator=(const BackgroundRun&) = delete;

    // Its exit status, once it ended (within kPatience; else `signal` ends it).
    int finish(int signal = SIGKILL) {
        int status = -1;
        const bool ended = eventually([&] { return ::waitpid(pid, &status, WNOHANG) == pid; });
        if (!ended) {
            ::kill(pid, signal);
            ::waitpid(pid, &status, 0);
        }
        pid = -1;
        return ended && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    std::filesystem::path out, err;
    pid_t pid = -1;
};

test_support::CommandResult forkline_top(pid_t pid, const std::vector<std::string>& options) {
    std::vector<std::string> argv = {FORKLINE_PATH, "top", std::to_string(pid)};
    argv.insert(argv.end(), options.begin(), options.end());
    return test_support::run_command(argv);
}

bool has_channel(pid_t pid) {
    return !forkline::control::find_channels(pid).empty();
}

}  // namespace

TEST_CASE("a paused pool starts no job; running ones finish; resume runs the rest, each once") {
    constexpr std::size_t kJobs = 6;
    SharedCounters started(kJobs), gate(1);
    std::size_t delivered = 0;
    forkline::Pool pool(
        {.worker_function = gated_handler(started, gate), .workers = 2, .claim_batch = 1},
        [&](const forkline::JobResult& r) {
            CHECK(r.status ==
                  (r.id == 5 ? forkline::JobStatus::cancelled : forkline::JobStatus::ok));
            ++delivered;
        });
    for (std::uint64_t i = 0; i < kJobs; ++i) pool.submit(i);
    REQUIRE(eventually([&] { return total(started, kJobs) == 2; }));  // both workers busy

    const auto paused = ask(pool, Request::Kind::pause);
    CHECK(paused.ok);
    CHECK(paused.paused);
    CHECK(pool.paused());
    gate[0] = 1;  // the two running jobs end
    REQUIRE(eventually([&] {
        pool.poll(10ms);
        return delivered == 2;
    }));
    for (int i = 0; i < 20; ++i) pool.poll(10ms);  // time for a wrong start to show
    CHECK(total(started, kJobs) == 2);
    CHECK(ask(pool, Request::Kind::status).paused);

    // A parked job can be cancelled: it never runs.
    const auto cancelled = ask(pool, Request::Kind::cancel, 5);
    CHECK(cancelled.ok);
    CHECK(cancelled.message == "job 5 cancelled");
    const auto unknown = ask(pool, Request::Kind::cancel, 99);
    CHECK_FALSE(unknown.ok);
    CHECK(unknown.message == "job 99 is not waiting or running");

    const auto resumed = ask(pool, Request::Kind::resume);
    CHECK(resumed.ok);
    CHECK_FALSE(resumed.paused);
    const auto summary = pool.wait();
    CHECK(summary.succeeded == kJobs - 1);
    CHECK(summary.cancelled == 1);
    for (std::size_t i = 0; i < kJobs - 1; ++i) CHECK(started[i] == 1);
    CHECK(started[5] == 0);
}

TEST_CASE(
    "wait() during a pause neither returns early nor hangs: it answers, then ends after resume") {
    constexpr std::size_t kJobs = 4;
    SharedCounters started(kJobs), gate(1);
    gate[0] = 1;
    forkline::Pool pool({.worker_function = gated_handler(started, gate), .workers = 2});
    pool.pause();  // before any job: none may start
    for (std::uint64_t i = 0; i < kJobs; ++i) pool.submit(i);
    auto controller = std::async(std::launch::async, [&] {
        const auto channel = forkline::control::channel_of(::getpid());
        // Answered from inside wait(): it is waiting, paused, and no job has started.
        const auto status = forkline::control::send(channel, {Request::Kind::status});
        const auto started_while_paused = total(started, kJobs);
        forkline::control::send(channel, {Request::Kind::resume});
        return std::pair{status, started_while_paused};
    });
    const auto summary = pool.wait();
    const auto [status, started_while_paused] = controller.get();
    CHECK(status.paused);
    CHECK(started_while_paused == 0);
    CHECK(summary.succeeded == kJobs);
    CHECK(total(started, kJobs) == kJobs);
}

TEST_CASE("cancel through the control channel kills a running job of an embedding pool") {
    SharedCounters started(2), gate(1);  // the gate stays shut: job 0 runs until killed
    std::vector<forkline::JobStatus> statuses(2);
    forkline::Pool pool(
        {.worker_function = gated_handler(started, gate), .workers = 1, .claim_batch = 1},
        [&](const forkline::JobResult& r) { statuses[r.id] = r.status; });
    pool.submit(std::uint64_t{0});
    REQUIRE(eventually([&] { return started[0] == 1; }));
    const auto reply = ask(pool, Request::Kind::cancel, 0);
    CHECK(reply.ok);
    CHECK(reply.message == "job 0 cancelled");
    gate[0] = 1;  // the next job (on the respawned worker) may end
    pool.submit(std::uint64_t{1});
    const auto summary = pool.wait();
    CHECK(statuses[0] == forkline::JobStatus::cancelled);
    CHECK(statuses[1] == forkline::JobStatus::ok);
    CHECK(summary.cancelled == 1);
    CHECK(started[0] == 1);  // not run again
}

TEST_CASE("another user is refused by the pool (SO_PEERCRED), and changes nothing") {
    if (::geteuid() != 0) {
        MESSAGE("skipped: becoming another user (nobody) needs root");
        return;
    }
    forkline::Pool pool(
        {.worker_function = [](auto, auto) { return std::size_t{0}; }, .workers = 1});
    const auto channel = forkline::control::channel_of(::getpid());
    const pid_t stranger = ::fork();
    if (stranger == 0) {  // nobody, asking for a pause
        if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
            ::setresuid(65534, 65534, 65534) != 0)
            ::_exit(3);
        try {
            forkline::control::send(channel, {Request::Kind::pause});
            ::_exit(1);  // answered: wrong
        } catch (const forkline::Error& e) {
            ::_exit(std::string(e.what()).find("refused") != std::string::npos ? 0 : 2);
        }
    }
    REQUIRE(stranger > 0);
    int status = -1;
    const bool ended = eventually([&] {
        pool.poll(5ms);  // the pool answers (here: refuses) inside its calls
        return ::waitpid(stranger, &status, WNOHANG) == stranger;
    });
    if (!ended) {
        ::kill(stranger, SIGKILL);
        ::waitpid(stranger, &status, 0);
    }
    CHECK(ended);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK_FALSE(pool.paused());
    CHECK_FALSE(ask(pool, Request::Kind::status).paused);  // its own user is answered
    pool.wait();
}

TEST_CASE(
    "forkline top --cancel: a running `forkline run` job is killed with its group, reported "
    "cancelled, logged") {
    const auto marker = scratch() / "cancel.pid";
    const auto joblog = scratch() / "cancel.joblog";
    // Job 1 writes the pid of its sleep (exec'd by sh) and sleeps; job 2 runs after it.
    BackgroundRun run("cancel", {"-j", "1", "--joblog", joblog.string(),
                                 ":::", "sh -c 'echo $$ > " + marker.string() + "; exec sleep 60'",
                                 "echo after"});
    REQUIRE(eventually([&] { return !contents(marker).empty(); }));
    const pid_t sleeper = std::stoi(contents(marker));

    const auto top = forkline_top(run.pid, {"--cancel", "0"});
    CHECK(top.code == 0);
    CHECK(top.out == "pool " + std::to_string(run.pid) + ": job 0 cancelled\n");
    CHECK(run.finish() == 1);  // one failed job
    CHECK(test_support::none_running_soon({sleeper}));
    CHECK(contents(run.out) == "after\n");
    CHECK(contents(run.err).find("forkline run: job 1 cancelled: ") != std::string::npos);
    const auto log = test_support::lines_of(contents(joblog));
    REQUIRE(log.size() == 3);
    CHECK(log[1].starts_with("1\t"));
    CHECK(log[1].find("\t-1\t9\tsh -c") != std::string::npos);  // Exitval -1, Signal 9
    CHECK(log[2].starts_with("2\t"));
}

TEST_CASE("forkline top --pause / --resume: `forkline run` starts nothing while paused") {
    const auto marks = scratch() / "pause.marks";
    const auto release = scratch() / "pause.release";
    const auto joblog = scratch() / "pause.joblog";
    const auto mark = [&](int n) {
        return "sh -c 'echo " + std::to_string(n) + " >> " + marks.string() + "'";
    };
    // Job 1 runs until released; jobs 2 and 3 only mark their start.
    BackgroundRun run("pause", {"--progress", "-j", "1", "--joblog", joblog.string(), ":::",
                                "sh -c 'echo 1 >> " + marks.string() + "; while [ ! -e " +
                                    release.string() + " ]; do sleep 0.01; done'",
                                mark(2), mark(3)});
    REQUIRE(eventually([&] { return contents(marks) == "1\n"; }));
    const auto pool = "pool " + std::to_string(run.pid) + ": ";
    const auto workers = test_support::workers_of(run.pid);
    REQUIRE(workers.size() == 1);
    const auto paused = forkline_top(workers[0], {"--pause"});  // a worker leads to its pool
    CHECK(paused.code == 0);
    CHECK(paused.out == pool + "paused\n");
    std::ofstream(release).put('\n');  // job 1 ends while paused
    REQUIRE(eventually([&] { return test_support::lines_of(contents(joblog)).size() == 2; }));
    std::this_thread::sleep_for(300ms);  // time for a wrong start to show
    CHECK(forkline_top(run.pid, {"--pause"}).out == pool + "paused\n");  // answered again
    CHECK(contents(marks) == "1\n");

    const auto resumed = forkline_top(run.pid, {"--resume"});
    CHECK(resumed.code == 0);
    CHECK(resumed.out == pool + "running\n");
    CHECK(run.finish() == 0);
    CHECK(contents(marks) == "1\n2\n3\n");
    CHECK(contents(run.err).find(" jobs/s, paused") != std::string::npos);  // its progress line
}

TEST_CASE("another user's forkline top is refused; the run goes on unpaused") {
    if (::geteuid() != 0) {
        MESSAGE("skipped: running forkline top as nobody needs root");
        return;
    }
    const test_support::ReachableTools copy(FORKLINE_PATH, {});
    const auto marker = scratch() / "stranger.started";
    BackgroundRun run("stranger",
                      {"-j", "1", ":::", "sh -c 'touch " + marker.string() + "; exec sleep 60'"});
    REQUIRE(eventually([&] { return std::filesystem::exists(marker); }));
    auto argv = test_support::kAsNobody;
    argv.insert(argv.end(), {copy.tool(), "top", std::to_string(run.pid), "--pause"});
    const auto stranger = test_support::run_command(argv);
    CHECK(stranger.code == 1);
    CHECK(stranger.err.find("forkline top: error: ") == 0);
    CHECK(stranger.err.find("refused") != std::string::npos);
    const auto status =
        forkline::control::send(forkline::control::channel_of(run.pid), {Request::Kind::status});
    CHECK_FALSE(status.paused);
    CHECK(forkline_top(run.pid, {"--cancel", "0"}).code == 0);
    CHECK(run.finish() == 1);
}

TEST_CASE("a SIGKILLed supervisor's control channel does not linger") {
    const auto marker = scratch() / "killed.started";
    BackgroundRun run("killed", {":::", "sh -c 'touch " + marker.string() + "; exec sleep 60'"});
    REQUIRE(eventually([&] { return std::filesystem::exists(marker); }));
    REQUIRE(has_channel(run.pid));
    const auto channel = forkline::control::channel_of(run.pid);
    const pid_t pid = run.pid;
    ::kill(pid, SIGKILL);
    run.finish();
    CHECK(eventually([&] { return !has_channel(pid); }));
    CHECK_THROWS_WITH_AS(forkline::control::send(channel, {Request::Kind::status}),
                         doctest::Contains("ended"), forkline::Error);
}

TEST_CASE("forkline top: usage and unreachable pools are one-line errors") {
    const auto no_pid = test_support::run_command({FORKLINE_PATH, "top", "--pause"});
    CHECK(no_pid.code == 2);
    CHECK(no_pid.err == "forkline top: error: no PID given (see forkline top --help)\n");
    const auto both = forkline_top(::getpid(), {"--pause", "--resume"});
    CHECK(both.code == 2);
    CHECK(both.err.find("--pause and --resume cannot both be given") != std::string::npos);
    const auto none = forkline_top(::getpid(), {"--resume"});  // this test process: no pool
    CHECK(none.code == 1);
    CHECK(none.err == "forkline top: error: no forkline pool found for process " +
                          std::to_string(::getpid()) + "\n");
    const auto help = test_support::run_command({FORKLINE_PATH, "top", "--help"});
    CHECK(help.code == 0);
    CHECK(help.out.find("--cancel JOB") != std::string::npos);
}

TEST_CASE("a process with two pools: --pause names the way to pick one, which exists") {
    const auto idle = [](std::span<const std::byte>, std::span<std::byte>) {
        return std::size_t{0};
    };
    forkline::Pool first({.worker_function = idle, .workers = 1});
    forkline::Pool second({.worker_function = idle, .workers = 1});
    const auto both = forkline_top(::getpid(), {"--pause"});
    CHECK(both.code == 1);
    CHECK(both.err == "forkline top: error: process " + std::to_string(::getpid()) +
                          " runs 2 pools: pick one in `forkline top " + std::to_string(::getpid()) +
                          "` (up/down, then p or k)\n");
    CHECK_FALSE(first.paused());
    CHECK_FALSE(second.paused());
}

TEST_CASE("SIGINT while `forkline run` is paused: a job the pause holds back is not run, it ends") {
    const auto marks = scratch() / "interrupt.marks";
    BackgroundRun run("interrupt",
                      {"-j", "1", ":::", "sh -c 'echo 1 >> " + marks.string() + "; exec sleep 60'",
                       "sh -c 'echo 2 >> " + marks.string() + "'"});
    REQUIRE(eventually([&] { return contents(marks) == "1\n"; }));
    CHECK(forkline_top(run.pid, {"--pause"}).code == 0);
    // Its worker killed, job 1 waits to run again: parked, as the pause holds it back.
    const auto workers = test_support::workers_of(run.pid);
    REQUIRE(workers.size() == 1);
    ::kill(workers[0], SIGKILL);
    REQUIRE(eventually([&] {
        const auto now = test_support::workers_of(run.pid);
        return now.size() == 1 && now[0] != workers[0];  // respawned: the job was requeued
    }));
    ::kill(run.pid, SIGINT);  // no new starts: what the pause holds back never runs
    CHECK(run.finish() == 130);
    CHECK(contents(marks) == "1\n");
    CHECK(contents(run.err).find("2 of 2 jobs not run (interrupted)") != std::string::npos);
}

TEST_CASE("wait() on a paused pool with no job left returns: its sentinels are not held back") {
    forkline::Pool pool(
        {.worker_function = [](auto, auto) { return std::size_t{0}; }, .workers = 2});
    pool.submit(std::uint64_t{1});
    pool.pause();  // the job may have started or not: it waits, or runs on
    pool.resume();
    pool.poll(std::chrono::milliseconds(kPatience));
    CHECK(pool.in_flight() == 0);
    pool.pause();
    const auto summary = pool.wait();
    CHECK(summary.succeeded == 1);
    CHECK(summary.sentinels_answered == 2);
    CHECK(pool.paused());
}
