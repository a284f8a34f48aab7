// forkline top: attached to real pools (procs, forkline run, forkline files, a pool of this
// test process), read-only; the counts against the pool's own summary; a pool killed while
// watched; another user refused; the terminal restored; output errors.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <forkline/pool.hpp>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "layout.hpp"
#include "other_user.hpp"
#include "redis_server.hpp"
#include "run_command.hpp"
#include "spawned.hpp"
#include "unique_fd.hpp"
#include "write_errors.hpp"

using nlohmann::json;
using test_support::run_command;
using test_support::Spawned;

namespace {

// A file of `count` large primes: procs takes about 10 ms for each.
std::string long_numbers_file(int count) {
    static const auto directory = test_support::scratch_directory("forkline-top");
    const auto path = directory + "/numbers-" + std::to_string(count);
    std::ofstream out(path);
    for (int i = 0; i < count; ++i) out << "9999999999999917\n";
    return path;
}

std::vector<std::string> top_of(pid_t pid, const std::vector<std::string>& more = {}) {
    std::vector<std::string> argv{FORKLINE_PATH, "top", std::to_string(pid)};
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
}

// The first JSON snapshot of `pid`'s pool for which `ready` holds, looking again until it
// does (10 s at most: the pool is being set up, or its jobs are starting).
json pool_when(pid_t pid, const std::function<bool(const json&)>& ready) {
    json last;
    for (int i = 0; i < 200; ++i) {
        if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const auto r = run_command(top_of(pid, {"--json", "-n", "1"}));
        if (r.code != 0) continue;
        last = json::parse(r.out);
        REQUIRE(last["pools"].size() == 1);
        if (ready(last["pools"][0])) return last["pools"][0];
    }
    FAIL("the pool never showed what was expected; last: " << last.dump());
    return {};
}

int count_in_state(const json& pool, const std::string& state) {
    int n = 0;
    for (const auto& worker : pool["workers"]) n += worker["state"] == state ? 1 : 0;
    return n;
}

// Reads `fd` until EOF (10 s at most).
std::string read_to_end(int fd) {
    std::string text;
    char buffer[4096];
    for (;;) {
        pollfd readable{fd, POLLIN, 0};
        if (::poll(&readable, 1, 10'000) <= 0) break;
        const auto n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
}

// Waits (10 s at most) for `child` to exit by itself, then reaps it: its exit code, -1
// when it had to be killed.
int exit_code_of(Spawned& child) {
    for (int i = 0; i < 1000; ++i) {
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(child.pid()), &info, WEXITED | WNOHANG | WNOWAIT) ==
                0 &&
            info.si_pid == child.pid())
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const int status = child.stop(SIGKILL);  // reaps (already exited: the kill does nothing)
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The terminal tests need script(1): without it they are skipped, saying so.
bool script_missing() {
    if (test_support::have_program("script")) return false;
    MESSAGE("skipped: script(1) is not installed");
    return true;
}

// Waits (bounded) until `count` workers of `pid`'s pool run a job.
void wait_running(pid_t pid, int count) {
    pool_when(pid, [count](const json& p) { return count_in_state(p, "running") == count; });
}

}  // namespace

TEST_CASE("top attaches to a running procs: its workers, their jobs, the total") {
    Spawned procs({PROCS_PATH, "--numbers", long_numbers_file(3000), "2"}, -1, -1);
    const auto pool =
        pool_when(procs.pid(), [](const json& p) { return count_in_state(p, "running") == 2; });
    CHECK(pool["supervisor"] == procs.pid());
    CHECK(pool["kind"] == "procs");
    CHECK(pool["jobs"]["total"] == 3000);
    CHECK(pool["workers"].size() == 2);
    for (const auto& worker : pool["workers"]) {
        CHECK(worker["pid"].get<int>() > 0);
        CHECK(worker["job_id"].is_number());
        CHECK(worker["usage"]["rss_bytes"].get<std::uint64_t>() > 0);
    }
    // A worker's pid leads to the same pool.
    const auto worker_pid = pool["workers"][0]["pid"].get<pid_t>();
    const auto by_worker = run_command(top_of(worker_pid, {"--json", "-n", "1"}));
    CHECK(by_worker.code == 0);
    CHECK(json::parse(by_worker.out)["pools"][0]["supervisor"] == procs.pid());
    // Plain: a title, totals, rates, the table; no escape codes.
    const auto plain = run_command(top_of(procs.pid()));
    CHECK(plain.code == 0);
    CHECK(plain.out.starts_with("pool " + std::to_string(procs.pid()) + " (procs)"));
    CHECK(plain.out.find("3000 in all") != std::string::npos);
    CHECK(plain.out.find('\033') == std::string::npos);
    // Every pool of this user includes it.
    const auto all = run_command({FORKLINE_PATH, "top", "--json", "-n", "1"});
    CHECK(all.code == 0);
    const auto every_pool = json::parse(all.out);
    bool found = false;
    for (const auto& p : every_pool["pools"]) found |= p["supervisor"] == procs.pid();
    CHECK(found);
}

TEST_CASE("top shows forkline run's command lines, their processes and last output line") {
    static const auto directory = test_support::scratch_directory("forkline-top-run");
    Spawned run({FORKLINE_PATH, "run", "-j", "2", "--results", directory + "/results", "--shell",
                 "echo started {}; exec sleep 30", ":::", "a", "b"},
                -1, -1);
    const auto pool = pool_when(run.pid(), [](const json& p) {
        if (count_in_state(p, "running") != 2) return false;
        for (const auto& w : p["workers"])
            if (!w.contains("last_line") || w["job_usage"].is_null()) return false;
        return true;
    });
    CHECK(pool["kind"] == "run");
    std::set<std::string> commands, lines;
    for (const auto& worker : pool["workers"]) {
        commands.insert(worker["command"].get<std::string>());
        lines.insert(worker["last_line"].get<std::string>());
        CHECK(worker["job_group"].get<int>() > 0);
        CHECK(worker["job_usage"]["processes"].get<int>() >= 1);
    }
    CHECK(commands ==
          std::set<std::string>{"echo started a; exec sleep 30", "echo started b; exec sleep 30"});
    CHECK(lines == std::set<std::string>{"started a", "started b"});
    CHECK(run.stop(SIGTERM) != -1);
}

TEST_CASE("top attaches to forkline files: its chunks are the jobs, their number the total") {
    // 64 KiB of log lines, then a hole up to 4 GiB: text to the binary check, zeros to read
    // (from no disk) for seconds.
    static const auto directory = test_support::scratch_directory("forkline-top-files");
    const auto path = directory + "/sparse.log";
    {
        std::ofstream out(path);
        for (int i = 0; i < 4096; ++i) out << "INFO line " << i << "\n";
    }
    std::filesystem::resize_file(path, std::uintmax_t{4} << 30);
    Spawned files({FORKLINE_PATH, "files", "-j", "2", "--no-progress", path}, -1, -1);
    const auto pool =
        pool_when(files.pid(), [](const json& p) { return count_in_state(p, "running") >= 1; });
    CHECK(pool["kind"] == "files");
    CHECK(pool["jobs"]["total"] == 128);  // 4 GiB in chunks of 32 MiB
    CHECK(pool["workers"].size() == 2);
    files.stop(SIGTERM);
}

TEST_CASE("top attaches to the embedding example: a pool named after its program") {
    // Squares of 1..10^9 through square_worker: minutes of tiny jobs, stopped once seen.
    Spawned example({EMBED_POOL_PATH, "1000000000"}, -1, -1);
    const auto pool = pool_when(example.pid(), [](const json& p) { return p["jobs"]["done"] > 0; });
    CHECK(pool["kind"] == "embed_pool");  // no label given: the program's name
    CHECK(pool["workers"].size() == 2);
    CHECK(pool["jobs"]["total"].is_null());
    CHECK(pool["jobs_per_s_average"].get<double>() > 0);
    example.stop(SIGTERM);
}

TEST_CASE("top of a pool embedded in a program: its label and running jobs") {
    forkline::Pool pool({.worker_function =
                             [](std::span<const std::byte>, std::span<std::byte>) {
                                 ::pause();  // until the pool is destroyed: it kills its workers
                                 return std::size_t{0};
                             },
                         .workers = 2,
                         .label = "embedded"});
    pool.submit(std::string("job"));
    pool.submit(std::string("job"));
    pool.set_total_jobs(2);
    const auto snapshot =
        pool_when(::getpid(), [](const json& p) { return count_in_state(p, "running") == 2; });
    CHECK(snapshot["kind"] == "embedded");
    CHECK(snapshot["jobs"]["submitted"] == 2);
    CHECK(snapshot["jobs"]["total"] == 2);
    CHECK(snapshot["jobs"]["queued"] == 0);
    std::set<std::uint64_t> jobs;
    for (const auto& worker : snapshot["workers"])
        jobs.insert(worker["job_id"].get<std::uint64_t>());
    CHECK(jobs == std::set<std::uint64_t>{0, 1});
    // Paused, the jobs waiting behind them show as held back.
    pool.submit(std::string("job"));
    pool.submit(std::string("job"));
    pool.pause();
    const auto paused =
        pool_when(::getpid(), [](const json& p) { return p["jobs"]["queued"] == 2; });
    CHECK(paused["jobs"]["parked"] == 2);
}

TEST_CASE("a paused pool's held-back jobs show once its idle workers have looked past them") {
    forkline::Pool pool({.worker_function =
                             [](std::span<const std::byte> job, std::span<std::byte>) {
                                 if (job.size() > 4) ::pause();  // "blocking": until killed
                                 return std::size_t{0};
                             },
                         .workers = 2});
    const auto first = pool.submit(std::string("blocking"));
    const auto second = pool.submit(std::string("blocking"));
    pool.submit(std::string("q"));
    pool.submit(std::string("q"));
    pool_when(::getpid(), [](const json& p) { return count_in_state(p, "running") == 2; });
    pool.pause();
    // Their workers killed and replaced, the new ones find only parked jobs: they move the
    // queue's cursor past them, and wait.
    REQUIRE(pool.cancel(first, forkline::CancelMode::kill_running));
    REQUIRE(pool.cancel(second, forkline::CancelMode::kill_running));
    json last;
    for (int i = 0; i < 200; ++i) {
        pool.poll(std::chrono::milliseconds(50));
        const auto r = run_command(top_of(::getpid(), {"--json", "-n", "1"}));
        REQUIRE(r.code == 0);
        last = json::parse(r.out)["pools"][0];
        if (count_in_state(last, "idle") == 2 && last["jobs"]["cancelled"] == 2) break;
    }
    CHECK(count_in_state(last, "idle") == 2);
    CHECK(last["jobs"]["queued"] == 2);
    CHECK(last["jobs"]["parked"] == 2);
    pool.resume();
    CHECK(pool.wait().succeeded == 2);
}

TEST_CASE("the JSON counts match the pool's own summary, deaths and re-runs included") {
    forkline::Pool pool({.worker_function =
                             [](std::span<const std::byte> job, std::span<std::byte>) {
                                 if (job.size() == 1) throw std::runtime_error("odd");
                                 return std::size_t{0};
                             },
                         .workers = 2});
    const std::byte bytes[2]{};
    for (int i = 0; i < 40; ++i) pool.submit(std::span(bytes, i % 4 == 1 ? 1 : 2));
    const auto summary = pool.wait();
    const auto r = run_command(top_of(::getpid(), {"--json", "-n", "1"}));
    REQUIRE(r.code == 0);
    const auto snapshot = json::parse(r.out)["pools"][0];
    CHECK(snapshot["jobs"]["submitted"] == summary.submitted);
    CHECK(snapshot["jobs"]["succeeded"] == summary.succeeded);
    CHECK(snapshot["jobs"]["failed"] == summary.failed);
    CHECK(snapshot["jobs"]["cancelled"] == summary.cancelled);
    CHECK(snapshot["worker_deaths"] == summary.worker_deaths);
    CHECK(snapshot["jobs"]["total"].is_null());
}

TEST_CASE("a pool SIGKILLed while watched: top says it ended, exits 0, nothing is left") {
    Spawned procs({PROCS_PATH, "--numbers", long_numbers_file(3000), "2"}, -1, -1);
    pool_when(procs.pid(), [](const json&) { return true; });
    int pipe_fds[2];
    REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
    forkline::UniqueFd read_end(pipe_fds[0]);
    forkline::UniqueFd write_end(pipe_fds[1]);
    Spawned top({FORKLINE_PATH, "top", std::to_string(procs.pid()), "-d", "0.05", "-n", "100000"},
                write_end.get(), -1);
    write_end.reset();
    char first[5];  // "pool " of the first snapshot: top is attached
    REQUIRE(::read(read_end.get(), first, sizeof first) == sizeof first);
    const auto supervisor = procs.pid();
    procs.stop(SIGKILL);
    const auto rest = read_to_end(read_end.get());
    CHECK(rest.ends_with("pool " + std::to_string(supervisor) + " ended\n"));
    CHECK(exit_code_of(top) == 0);
    CHECK(test_support::segments_of(supervisor).empty());
}

TEST_CASE("another user cannot watch the pool, nor see it") {
    if (::geteuid() != 0) {
        MESSAGE("skipped: needs root to run forkline top as nobody");
        return;
    }
    Spawned procs({PROCS_PATH, "--numbers", long_numbers_file(3000), "2"}, -1, -1);
    pool_when(procs.pid(), [](const json&) { return true; });
    const test_support::ReachableTools tools(FORKLINE_PATH, {});
    auto argv = test_support::kAsNobody;
    argv.insert(argv.end(), {tools.tool(), "top", std::to_string(procs.pid())});
    const auto refused = run_command(argv);
    CHECK(refused.code == 1);
    CHECK(refused.out.empty());
    CHECK(refused.err == "forkline top: error: cannot read the descriptors of process " +
                             std::to_string(procs.pid()) + ": Permission denied\n");
    argv = test_support::kAsNobody;
    argv.insert(argv.end(), {tools.tool(), "top", "--json", "-n", "1"});
    const auto all = run_command(argv);
    CHECK(all.code == 0);
    const auto pools_seen = json::parse(all.out);
    for (const auto& p : pools_seen["pools"]) CHECK(p["supervisor"] != procs.pid());
    for (const auto& p : pools_seen["unreadable"]) CHECK(p["supervisor"] != procs.pid());
}

TEST_CASE("on a terminal: the alternate screen, left again after -n, q, and SIGTERM") {
    if (script_missing()) return;
    Spawned procs({PROCS_PATH, "--numbers", long_numbers_file(3000), "2"}, -1, -1);
    pool_when(procs.pid(), [](const json&) { return true; });
    const auto command =
        test_support::shell_quoted(FORKLINE_PATH) + " top " + std::to_string(procs.pid());
    const std::string enter = "\033[?1049h";
    const std::string leave = "\033[?1049l";
    const auto by_count = test_support::run_on_terminal(command + " -n 2 -d 0.05", {});
    CHECK(by_count.code == 0);
    CHECK(by_count.out.starts_with(enter));
    CHECK(by_count.out.find("(procs)") != std::string::npos);
    CHECK(by_count.out.ends_with(leave));
    const auto by_key = test_support::run_on_terminal(command, {{"q quit", "q"}});
    CHECK(by_key.code == 0);
    CHECK(by_key.out.ends_with(leave));
    // SIGTERM once top has blocked it (SigBlk in /proc), i.e. once it handles it.
    const auto by_signal = test_support::run_on_terminal(
        command + " & p=$!; i=0; while [ $i -lt 200 ] && ! grep -q '^SigBlk:.*[1-9a-f]' " +
            "/proc/$p/status; do i=$((i+1)); sleep 0.05; done; kill -TERM $p; wait $p",
        {});
    CHECK(by_signal.code == 0);
    CHECK(by_signal.out.find(leave) != std::string::npos);
}

TEST_CASE("on a terminal, Ctrl-Z and Ctrl-\\ leave it as it was: suspended, continued, quit") {
    if (script_missing()) return;
    Spawned run({FORKLINE_PATH, "run", "-j", "1", "sleep", "{}", ":::", "30"}, -1, -1);
    wait_running(run.pid(), 1);
    // With job control (set -m), as from an interactive shell: stopped by SIGTSTP (what
    // Ctrl-Z sends), brought back by fg, ended by SIGQUIT (Ctrl-\). Every wait bounded.
    // The terminal in -icanon: top's screen is up, its keys read one by one.
    const auto until = [](const std::string& condition) {
        return "i=0; while [ $i -lt 200 ] && " + condition + "; do i=$((i+1)); sleep 0.05; done; ";
    };
    // top in the foreground (from the background, setting the terminal would stop it).
    const auto top = "$(pgrep -P $$ -x forkline)";
    const auto script =
        "set -m; ( " + until("! stty -a | grep -q -- -icanon") + "kill -TSTP " + top + " ) & " +
        test_support::shell_quoted(FORKLINE_PATH) + " top " + std::to_string(run.pid()) +
        "; echo \"stopped: $(stty -a | grep -o -- '-*icanon')\"; p=" + top + "; ( " +
        until("grep -q '^State:.*T' /proc/$p/status") + until("! stty -a | grep -q -- -icanon") +
        "kill -QUIT $p ) & fg; echo \"top=$?\"; echo \"after: $(stty -a | grep -o -- "
        "'-*icanon')\"";
    const auto shown = test_support::run_on_terminal(script, {});
    CHECK(shown.code == 0);
    CHECK(shown.out.find("stopped: icanon") != std::string::npos);  // the keys' mode undone
    CHECK(shown.out.find("top=0") != std::string::npos);
    CHECK(shown.out.find("after: icanon") != std::string::npos);
    const std::string enter = "\033[?1049h", leave = "\033[?1049l";
    const auto second = shown.out.find(enter, shown.out.find(leave));
    CHECK(second != std::string::npos);  // the screen again after fg
    CHECK(shown.out.find(leave, second) != std::string::npos);
    run.stop(SIGTERM);
}

TEST_CASE("on a terminal, k cancels the selected job and p pauses, then resumes, the pool") {
    if (script_missing()) return;
    static const auto directory = test_support::scratch_directory("forkline-top-keys");
    const auto log = directory + "/joblog";
    Spawned run(
        {FORKLINE_PATH, "run", "-j", "1", "--joblog", log, "sleep", "{}", ":::", "30", "31"}, -1,
        -1);
    pool_when(run.pid(), [](const json& p) { return count_in_state(p, "running") == 1; });
    const auto command =
        test_support::shell_quoted(FORKLINE_PATH) + " top " + std::to_string(run.pid());
    // The selected row is the slowest running job: `sleep 30`, job 0.
    const auto keys = test_support::run_on_terminal(
        command, {{"q quit", "k"}, {"cancelled", "p"}, {": paused", "p"}, {": running", "q"}});
    CHECK(keys.code == 0);
    CHECK(keys.out.find("job 0 cancelled") != std::string::npos);
    // forkline run reports it: the next job (`sleep 31`) runs instead.
    const auto next = pool_when(run.pid(), [](const json& p) {
        for (const auto& w : p["workers"])
            if (w.contains("command") && w["command"] == "sleep 31") return true;
        return false;
    });
    CHECK(next["jobs"]["cancelled"] == 1);
    run.stop(SIGTERM);
}

TEST_CASE("on a short terminal the selected worker row stays in sight, not below the screen") {
    if (script_missing()) return;
    Spawned run({FORKLINE_PATH, "run", "-j", "1", "sleep", "{}", ":::", "30"}, -1, -1);
    wait_running(run.pid(), 1);
    // 5 rows: the pool's 3 lines and the column titles fill the 4 above the status line.
    const auto shown = test_support::run_on_terminal(
        "stty rows 5 cols 100 && " + test_support::shell_quoted(FORKLINE_PATH) + " top " +
            std::to_string(run.pid()) + " -n 1",
        {});
    CHECK(shown.code == 0);
    // The selected row (the only worker's), in reverse video: what k would cancel.
    const auto selected = shown.out.find("\033[7m    0 ");
    CHECK(selected != std::string::npos);
    CHECK(shown.out.find("running", selected) != std::string::npos);
    run.stop(SIGTERM);
}

TEST_CASE("output errors: /dev/full and a closed stdout fail in one line, | head -1 is quiet") {
    Spawned procs({PROCS_PATH, "--numbers", long_numbers_file(3000), "2"}, -1, -1);
    pool_when(procs.pid(), [](const json&) { return true; });
    const auto pid = std::to_string(procs.pid());
    test_support::check_write_errors(
        "forkline top", {{FORKLINE_PATH, "top", pid}, {FORKLINE_PATH, "top", "--json", pid}});
    const auto head = run_command(
        {"/bin/sh", "-c", "\"$0\" top --json -d 0.01 \"$1\" | head -1", FORKLINE_PATH, pid});
    CHECK(head.code == 0);
    CHECK(head.err.empty());
    CHECK(json::parse(head.out)["pools"].size() == 1);
}

TEST_CASE("usage and refusals: --help, --version, a bad PID, a process with no pool") {
    const auto help = run_command({FORKLINE_PATH, "top", "--help"});
    CHECK(help.code == 0);
    CHECK(help.out.starts_with("usage: forkline top"));
    CHECK(run_command({FORKLINE_PATH, "top", "--version"})
              .out.starts_with("forkline top (forkline) "));
    const auto bad = run_command({FORKLINE_PATH, "top", "abc"});
    CHECK(bad.code == 2);
    CHECK(bad.err.starts_with("forkline top: error: "));
    const auto no_pool = run_command({FORKLINE_PATH, "top", std::to_string(::getpid())});
    CHECK(no_pool.code == 1);
    // A pid no process has (pid_max is below 2^22 here).
    const auto gone = run_command({FORKLINE_PATH, "top", "4194304"});
    CHECK(gone.code == 1);
    CHECK(gone.err == "forkline top: error: no process 4194304\n");
    CHECK(no_pool.err == "forkline top: error: process " + std::to_string(::getpid()) +
                             " runs no forkline pool\n");
    // An empty URL or queue (an unset variable) is an error, not the local view instead.
    const auto no_url = run_command({FORKLINE_PATH, "top", "--redis", "", "-n", "1"});
    CHECK(no_url.code == 2);
    CHECK(no_url.out.empty());
    CHECK(no_url.err.starts_with("forkline top: error: --redis needs a URL"));
    const auto no_queue =
        run_command({FORKLINE_PATH, "top", "--redis", "redis://127.0.0.1:1", "--queue", ""});
    CHECK(no_queue.code == 2);
    CHECK(no_queue.err.starts_with("forkline top: error: --queue needs a name"));
}

TEST_CASE("a segment of another protocol version is refused with both versions named") {
    const auto name = "/forkline-" + std::to_string(::getpid()) + "-0123456789abcdef";
    forkline::UniqueFd fd(::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    REQUIRE(fd.valid());
    ::shm_unlink(name.c_str());  // held by its descriptor only, as a pool's
    forkline::layout::SegmentHeader header{};
    header.magic = forkline::layout::kMagic;
    header.version = forkline::layout::kVersion - 1;
    REQUIRE(::write(fd.get(), &header, sizeof header) == sizeof header);
    const auto r = run_command({FORKLINE_PATH, "top", std::to_string(::getpid())});
    CHECK(r.code == 1);
    CHECK(r.err == "forkline top: error: cannot read pool " + std::to_string(::getpid()) +
                       ": segment has protocol version " +
                       std::to_string(forkline::layout::kVersion - 1) + ", expected " +
                       std::to_string(forkline::layout::kVersion) +
                       " (started by another version of forkline?)\n");
}

TEST_CASE("top --redis: two worker hosts holding jobs, then one SIGKILLed and reaped as dead") {
    test_support::RedisServer redis;
    Spawned host_a({FORKLINE_PATH, "worker", "--redis", redis.url(), "--queue", "primes", "-j", "1",
                    "prime_worker"},
                   -1, -1);
    Spawned host_b({FORKLINE_PATH, "worker", "--redis", redis.url(), "--queue", "primes", "-j", "1",
                    "prime_worker"},
                   -1, -1);
    Spawned procs({PROCS_PATH, "--redis", redis.url(), "--numbers", long_numbers_file(3000), "0"},
                  -1, -1);
    // Looks again (10 s at most, or 30 s: a worker is reaped 5 s after its last heartbeat)
    // until `ready`.
    const auto run_when = [&](const std::function<bool(const json&)>& ready, int tries) {
        json last;
        for (int i = 0; i < tries; ++i) {
            if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
            const auto r = run_command({FORKLINE_PATH, "top", "--redis", redis.url(), "--queue",
                                        "primes", "--json", "-n", "1"});
            REQUIRE(r.code == 0);
            last = json::parse(r.out);
            if (last["runs"].size() == 1 && ready(last["runs"][0])) return last["runs"][0];
        }
        FAIL("Redis never showed what was expected; last: " << last.dump());
        return json{};
    };
    const auto both = run_when(
        [](const json& run) {
            if (run["workers"].size() != 2) return false;
            for (const auto& w : run["workers"])
                if (w["jobs"].empty() || w["heartbeat_age_s"].is_null()) return false;
            return true;
        },
        200);
    CHECK(both["supervisor_alive"] == true);
    CHECK(both["dead"].empty());
    const auto names_before = [&] {
        std::set<std::string> names;
        for (const auto& w : both["workers"]) names.insert(w["name"].get<std::string>());
        return names;
    }();
    std::string killed = "-";  // the name's pid part: HOST-PID-RANDOM
    killed += std::to_string(host_a.pid());
    killed += '-';
    host_a.stop(SIGKILL);
    const auto after = run_when([](const json& run) { return run["dead"].size() == 1; }, 600);
    const auto dead = after["dead"][0].get<std::string>();
    CHECK(names_before.contains(dead));
    CHECK(dead.find(killed) != std::string::npos);
    CHECK(after["workers"].size() == 1);
    // Plain text: a row per worker, the dead one marked.
    const auto plain = run_command({FORKLINE_PATH, "top", "--redis", redis.url()});
    CHECK(plain.code == 0);
    CHECK(plain.out.find("queue primes run ") == 0);
    CHECK(plain.out.find(" dead ") != std::string::npos);
    procs.stop(SIGTERM);
    host_b.stop(SIGTERM);
}
