// The Redis transport end to end: procs --redis with `forkline worker` processes as hosts,
// each test case with its own redis-server. Crashes: SIGKILLed hosts and local workers, a
// Redis restart (AOF); results must come exactly once. No timing thresholds.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <forkline/error.hpp>
#include <forkline/redis.hpp>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <thread>

#include "procs_output.hpp"
#include "redis_server.hpp"
#include "run_command.hpp"
#include "spawned.hpp"
#include "unique_fd.hpp"

using test_support::check_output;
using test_support::lines_of;
using test_support::numbers_file;
using test_support::RedisServer;
using test_support::run_command;

namespace {

// `forkline worker` processes standing for hosts; SIGTERMed and reaped at the end.
class Hosts {
  public:
    Hosts(const RedisServer& redis, int count, const std::string& local_workers = "1") {
        for (int i = 0; i < count; ++i) {
            pids_.push_back(test_support::start_command({FORKLINE_PATH, "worker", "--redis",
                                                         redis.url(), "--queue", "primes", "-j",
                                                         local_workers, "prime_worker"}));
        }
    }
    ~Hosts() {
        for (const auto pid : pids_) {
            ::kill(pid, SIGTERM);
            ::waitpid(pid, nullptr, 0);
        }
    }
    Hosts(const Hosts&) = delete;
    Hosts& operator=(const Hosts&) = delete;

    pid_t operator[](std::size_t i) const { return pids_.at(i); }

  private:
    std::vector<pid_t> pids_;
};

// procs --redis in the background: the test kills things meanwhile.
std::future<test_support::CommandResult> start_procs(const RedisServer& redis,
                                                     const std::string& numbers,
                                                     const std::string& local_workers) {
    return std::async(std::launch::async, [=, url = redis.url()] {
        return run_command({PROCS_PATH, "--redis", url, "--numbers", numbers, local_workers}, "",
                           std::chrono::seconds(120));
    });
}

// Waits (bounded) until `pid` has a child: a host has started its local workers.
std::vector<pid_t> local_workers_of(pid_t host) {
    for (int i = 0; i < 10; ++i) {
        const auto children = test_support::wait_for_children(host, 1);
        if (!children.empty()) return children;
    }
    return {};
}

// Waits for a background procs: exit 0, every number once with the right label.
void check_finished(std::future<test_support::CommandResult>& procs, std::size_t count,
                    unsigned processes) {
    const auto r = procs.get();
    INFO(r.err);
    CHECK(r.code == 0);
    check_output(r.out, count, processes);
}

}  // namespace

TEST_CASE("procs --redis N: local workers only, the classic output; no key left") {
    RedisServer redis;
    const auto r = run_command({PROCS_PATH, "--redis", redis.url(), "2"});
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    check_output(r.out, 20, 2);
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("three worker hosts serve procs --redis 0, run after run") {
    RedisServer redis;
    const Hosts hosts(redis, 3);
    for (int run = 0; run < 2; ++run) {
        const auto r =
            run_command({PROCS_PATH, "--redis", redis.url(), "--numbers", numbers_file(5), "0"});
        INFO("run " << run << ": " << r.err);
        CHECK(r.code == 0);
        check_output(r.out, 100, 0);
    }
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("SIGKILL a worker host and a local worker mid-run: every result exactly once") {
    RedisServer redis;
    const Hosts hosts(redis, 2, "2");
    auto procs = start_procs(redis, numbers_file(10), "0");  // 200 checks
    const auto locals = local_workers_of(hosts[1]);
    REQUIRE(!locals.empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ::kill(hosts[0], SIGKILL);   // its jobs come back when its heartbeat expires
    ::kill(locals[0], SIGKILL);  // host 1's local pool runs its job again
    check_finished(procs, 200, 0);
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("Redis restarts mid-run (AOF), then crashes: clients reconnect, results once") {
    RedisServer redis;
    const Hosts hosts(redis, 2);
    auto procs = start_procs(redis, numbers_file(20), "1");  // 400 checks
    for (const int signal : {SIGTERM, SIGKILL}) {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        redis.stop(signal);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        redis.start();
    }
    check_finished(procs, 400, 1);
}

TEST_CASE("SIGTERM a worker host mid-run: it gives its jobs back and exits") {
    RedisServer redis;
    auto hosts = std::make_unique<Hosts>(redis, 1, "2");
    const Hosts other(redis, 1);
    auto procs = start_procs(redis, numbers_file(10), "0");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    hosts.reset();  // SIGTERM, reaped
    check_finished(procs, 200, 0);
}

TEST_CASE("concurrent runs on one queue name do not mix") {
    RedisServer redis;
    const Hosts hosts(redis, 1);
    auto first = start_procs(redis, numbers_file(3), "1");
    auto second = start_procs(redis, numbers_file(4), "1");
    check_finished(first, 60, 1);
    check_finished(second, 80, 1);
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("bad URLs and unreachable servers: one line on stderr, no hang") {
    for (const auto& test_case : std::vector<std::pair<std::string, std::string>>{
             {"http://localhost", "expected redis://"},
             {"redis://", "no host"},
             {"redis://localhost:http", "the port must be a number"},
             {"redis://localhost:6379/x", "the database must be a number"},
         }) {
        const auto& url = test_case.first;  // not a structured binding: INFO captures it
        const auto& message = test_case.second;
        INFO(url);
        const auto procs = run_command({PROCS_PATH, "--redis", url, "2"});
        CHECK(procs.code == 2);
        CHECK(procs.out.empty());
        CHECK(lines_of(procs.err).size() == 1);
        CHECK(procs.err.find(message) != std::string::npos);
        const auto worker =
            run_command({FORKLINE_PATH, "worker", "--redis", url, "--queue", "q", "prime_worker"});
        CHECK(worker.code == 2);
        CHECK(worker.err.find(message) != std::string::npos);
        CHECK_THROWS_AS(forkline::check_redis_url(url), forkline::Error);
    }
    CHECK_NOTHROW(forkline::check_redis_url("redis://user:p@ss:w@[::1]:7000/3"));
    const auto stray = run_command({PROCS_PATH, "--queue", "q", "2"});
    CHECK(stray.code == 2);
    CHECK(stray.err.find("--queue goes with --redis") != std::string::npos);
    const auto nobody = "redis://127.0.0.1:" + std::to_string(test_support::free_port());
    const auto procs = run_command({PROCS_PATH, "--redis", nobody, "--give-up", "1", "2"});
    CHECK(procs.code == 1);
    CHECK(lines_of(procs.err).size() == 1);
    CHECK(procs.err.find("unreachable: cannot connect to 127.0.0.1:") != std::string::npos);
    const auto worker = run_command({FORKLINE_PATH, "worker", "--redis", nobody, "--queue", "q",
                                     "--give-up", "1", "prime_worker"});
    CHECK(worker.code == 1);
    // The first connection is bounded by the connect timeout (2 s), not by --give-up.
    CHECK(worker.err.find("gave up after 2 s") != std::string::npos);
}

TEST_CASE("a bad queue name is bad usage: exit 2, one line, before anything starts") {
    const auto url = "redis://127.0.0.1:" + std::to_string(test_support::free_port());
    const auto procs = run_command({PROCS_PATH, "--redis", url, "--queue", "a b", "0"});
    CHECK(procs.code == 2);
    CHECK(procs.out.empty());  // not even the header line
    CHECK(procs.err ==
          "procs: error: bad queue name 'a b': 1 to 64 letters, digits, '_', '.' or '-' (see "
          "procs --help)\n");
    for (const auto& program : {std::vector<std::string>{"prime_worker"}, {}}) {
        std::vector<std::string> command{FORKLINE_PATH, "worker", "--redis", url, "--queue", "a b"};
        command.insert(command.end(), program.begin(), program.end());
        const auto worker = run_command(command);
        CHECK(worker.code == 2);
        CHECK(worker.err ==
              "forkline worker: error: bad queue name 'a b': 1 to 64 letters, digits, '_', '.' or "
              "'-' (see forkline worker --help)\n");
    }
}

TEST_CASE("a worker host started after the supervisor; --once leaves after one run; --help") {
    RedisServer redis;
    auto procs = start_procs(redis, numbers_file(1), "0");  // waits for a worker host
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto worker =
        test_support::start_command({FORKLINE_PATH, "worker", "--redis", redis.url(), "--queue",
                                     "primes", "--once", "-j", "1", "prime_worker"});
    check_finished(procs, 20, 0);
    int status = -1;
    CHECK(::waitpid(worker, &status, 0) == worker);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    const auto help = run_command({FORKLINE_PATH, "worker", "--help"});
    CHECK(help.code == 0);
    CHECK(help.out.starts_with("usage: forkline worker"));
}

TEST_CASE("RedisPool API: next_result without a callback, every job once, size limit") {
    RedisServer redis;
    const auto echo_worker = std::filesystem::path(PROCS_PATH).parent_path() / "echo_worker";
    forkline::RedisPool pool({.url = redis.url(),
                              .queue = "api",
                              .workers = 2,
                              .worker_program = echo_worker,
                              .prefetch = 64,
                              .max_job_size = 8,
                              .max_result_size = 8});
    CHECK(pool.run_id().size() == 16);
    for (std::uint64_t n = 0; n < 1000; ++n) CHECK(pool.submit(n) == n);
    CHECK_THROWS_AS(pool.submit(std::array<std::uint64_t, 2>{}), forkline::Error);
    std::vector<int> seen(1000, 0);
    while (const auto r = pool.next_result()) {
        REQUIRE(r->status == forkline::JobStatus::ok);
        std::uint64_t odd = 2;
        REQUIRE(r->data.size() == sizeof odd);
        std::memcpy(&odd, r->data.data(), sizeof odd);
        CHECK(odd == (r->id & 1));
        ++seen.at(r->id);
    }
    CHECK(std::count(seen.begin(), seen.end(), 1) == 1000);
    const auto summary = pool.wait();
    CHECK(summary.submitted == 1000);
    CHECK(summary.succeeded == 1000);
    CHECK(summary.sentinels_answered == 1);  // the one local bridge
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("AUTH and SELECT: a user's run in db 3; a wrong password is not printed") {
    RedisServer redis;
    REQUIRE(redis.command("ACL SETUSER alice on >s3cret ~* &* +@all") == "+OK");
    const auto base = "redis://alice:%@127.0.0.1:" + std::to_string(redis.port());
    const auto with = [&](const std::string& password, const std::string& db) {
        return base.substr(0, base.find('%')) + password + base.substr(base.find('%') + 1) + db;
    };
    const auto ok = run_command({PROCS_PATH, "--redis", with("s3cret", "/3"), "1"});
    INFO(ok.err);
    CHECK(ok.code == 0);
    check_output(ok.out, 20, 1);
    const auto wrong = run_command({PROCS_PATH, "--redis", with("wr0ng", "/3"), "1"});
    CHECK(wrong.code == 1);
    CHECK(lines_of(wrong.err).size() == 1);
    CHECK(wrong.err.find("WRONGPASS") != std::string::npos);
    CHECK(wrong.err.find("wr0ng") == std::string::npos);
    const auto no_db = run_command({PROCS_PATH, "--redis", with("s3cret", "/99"), "1"});
    CHECK(no_db.code == 1);
    CHECK(lines_of(no_db.err).size() == 1);
    CHECK(no_db.err.find("SELECT 99 failed") != std::string::npos);
    const auto typo = run_command({PROCS_PATH, "--redis", "redis:/alice:s3cret@localhost", "1"});
    CHECK(typo.code == 2);
    CHECK(typo.err.find("s3cret") == std::string::npos);
}

TEST_CASE("supervisor and hosts SIGKILLed mid-run: every key left expires") {
    RedisServer redis;
    Hosts hosts(redis, 2, "2");
    const auto procs = test_support::start_command(
        {PROCS_PATH, "--redis", redis.url(), "--numbers", numbers_file(50), "0"});
    // Mid-run: some host holds jobs (bounded wait).
    const std::string holding = "EVAL \"return #redis.call('KEYS', '*:processing:*')\" 0";
    for (int i = 0; i < 200 && redis.command(holding) == ":0"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(redis.command(holding) != ":0");
    ::kill(procs, SIGKILL);
    ::kill(hosts[0], SIGKILL);
    ::kill(hosts[1], SIGKILL);
    CHECK(::waitpid(procs, nullptr, 0) == procs);
    CHECK(redis.command("DBSIZE") != ":0");
    const std::string without_ttl =
        "EVAL \"local n = 0 for _, k in ipairs(redis.call('KEYS', '*')) do "
        "if redis.call('PTTL', k) < 0 then n = n + 1 end end return n\" 0";
    CHECK(redis.command(without_ttl) == ":0");
}

namespace {

// A program whose stderr the test reads while it runs.
class Watched {
  public:
    explicit Watched(const std::vector<std::string>& argv) : err_(pipe_read_end()) {
        child_.emplace(argv, -1, write_end_.get());
        write_end_ = forkline::UniqueFd();  // the child's now: EOF when it exits
    }

    // Reads stderr until it holds `text` (true), or it ends or 60 s pass (false).
    bool wait_for(const std::string& text) {
        while (err.find(text) == std::string::npos) {
            pollfd readable{err_.get(), POLLIN, 0};
            if (::poll(&readable, 1, 60'000) != 1) return false;
            char buffer[4096];
            const auto n = ::read(err_.get(), buffer, sizeof buffer);
            if (n <= 0) return false;
            err.append(buffer, std::size_t(n));
        }
        return true;
    }

    int stop(int signal) { return child_->stop(signal); }

    std::string err;

  private:
    forkline::UniqueFd pipe_read_end() {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        write_end_ = forkline::UniqueFd(fds[1]);
        return forkline::UniqueFd(fds[0]);
    }

    forkline::UniqueFd write_end_;  // declared before err_: set while err_ is made
    forkline::UniqueFd err_;
    std::optional<test_support::Spawned> child_;
};

}  // namespace

TEST_CASE("procs --redis URL 0 with no worker: it says it waits, once; SIGINT deletes its keys") {
    RedisServer redis;
    Watched procs({PROCS_PATH, "--redis", redis.url(), "0"});
    REQUIRE(procs.wait_for("\n"));
    CHECK(procs.err == "procs: waiting for workers: none has joined queue 'primes' at " +
                           redis.url() +
                           " (start one with: forkline worker --redis URL --queue primes "
                           "prime_worker)\n");
    CHECK(redis.command("DBSIZE") != ":0");  // the run is open, its jobs queued
    const int status = procs.stop(SIGINT);
    CHECK(WIFSIGNALED(status));  // dies of it, as it would have, after the clean-up
    CHECK(WTERMSIG(status) == SIGINT);
    CHECK(redis.command("DBSIZE") == ":0");

    // With local workers the run has a worker: no such line. SIGTERM cleans up as well.
    const auto served =
        run_command({PROCS_PATH, "--redis", redis.url(), "--numbers", numbers_file(1), "1"});
    CHECK(served.code == 0);
    CHECK(served.err.empty());
    Watched again({PROCS_PATH, "--redis", redis.url(), "0"});
    REQUIRE(again.wait_for("waiting for workers"));
    CHECK(WTERMSIG(again.stop(SIGTERM)) == SIGTERM);
    CHECK(redis.command("DBSIZE") == ":0");

    CHECK(forkline::redis_url_without_password("redis://alice:s3cret@db:6380/2") ==
          "redis://…@db:6380/2");
}

namespace {

// A TCP server on a loopback port that accepts every connection, answers what a client
// sends first (its set-up: SCRIPT LOAD, each answered with a made-up SHA1) and closes it
// (a proxy whose backend keeps dropping), for `patience` at most; then it stops listening.
class AcceptThenClose {
  public:
    explicit AcceptThenClose(std::chrono::seconds patience) {
        listener_ = forkline::UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        REQUIRE(listener_.valid());
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof address;
        REQUIRE(::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), len) == 0);
        REQUIRE(::listen(listener_.get(), 16) == 0);
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &len);
        port_ = ntohs(address.sin_port);
        thread_ = std::jthread([this, patience](std::stop_token stop) {
            const auto until = std::chrono::steady_clock::now() + patience;
            while (!stop.stop_requested() && std::chrono::steady_clock::now() < until) {
                pollfd p{listener_.get(), POLLIN, 0};
                if (::poll(&p, 1, 100) == 1) {
                    const forkline::UniqueFd accepted(
                        ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
                    ++accepted_;
                    if (accepted.valid()) answer_set_up(accepted.get());
                }
            }
            listening_ = false;
            listener_.reset();
        });
    }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
    int accepted() const { return accepted_; }
    bool listening() const { return listening_; }

  private:
    static void answer_set_up(int fd) {
        std::string request;
        char buffer[65536];
        pollfd p{fd, POLLIN, 0};
        while (::poll(&p, 1, 100) == 1) {  // what arrives in one go, the client then waits
            const auto got = ::read(fd, buffer, sizeof buffer);
            if (got <= 0) break;
            request.append(buffer, static_cast<std::size_t>(got));
        }
        std::string reply;
        for (auto at = request.find("\r\nSCRIPT\r\n"); at != std::string::npos;
             at = request.find("\r\nSCRIPT\r\n", at + 1))
            reply += "$40\r\n" + std::string(40, 'a') + "\r\n";
        if (!reply.empty()) [[maybe_unused]]
            const auto sent = ::write(fd, reply.data(), reply.size());
    }

    forkline::UniqueFd listener_;
    unsigned port_ = 0;
    std::atomic<int> accepted_ = 0;
    std::atomic<bool> listening_ = true;
    std::jthread thread_;  // last: stopped first
};

std::string error_of(const std::function<void()>& body) {
    try {
        body();
    } catch (const forkline::Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a server that accepts then closes every connection ends in Error after give_up") {
    // Before the fix every reconnection restarted the give_up clock: the pool kept
    // reconnecting until the server stopped listening (then a refused port ended it).
    const AcceptThenClose server(std::chrono::seconds(60));
    const auto error = error_of([&] {
        forkline::RedisPool pool({.url = server.url(), .give_up = std::chrono::seconds(1)});
    });
    CHECK(server.listening());  // the error came while connections were still accepted
    CHECK(error.find("gave up after 1 s") != std::string::npos);
    CHECK(server.accepted() > 1);  // it did reconnect, more than once
}

TEST_CASE("a refused port fails after connect_timeout, not give_up") {
    const auto nobody = "redis://127.0.0.1:" + std::to_string(test_support::free_port());
    const auto error = error_of([&] {
        forkline::RedisPool pool({.url = nobody,
                                  .give_up = std::chrono::seconds(3600),
                                  .connect_timeout = std::chrono::milliseconds(300)});
    });
    CHECK(error.find("unreachable: cannot connect to 127.0.0.1:") != std::string::npos);
    CHECK(error.find("gave up after 0.3 s") != std::string::npos);
}

TEST_CASE("wait_for(milliseconds::max()) waits for the run's end (no overflow into the past)") {
    RedisServer redis;
    const auto echo_worker = std::filesystem::path(PROCS_PATH).parent_path() / "echo_worker";
    forkline::RedisPool pool(
        {.url = redis.url(), .queue = "forever", .workers = 1, .worker_program = echo_worker});
    for (std::uint64_t n = 0; n < 100; ++n) pool.submit(n);
    const auto summary = pool.wait_for(std::chrono::milliseconds::max());
    REQUIRE(summary.has_value());
    CHECK(summary->succeeded == 100);
}

TEST_CASE("no worker comes: a warning, wait_for gives up, the heartbeat beats on its own") {
    RedisServer redis;
    std::vector<std::string> warnings;
    {
        forkline::RedisPool pool(
            {.url = redis.url(),
             .queue = "lonely",
             .on_warning = [&](const std::string& w) { warnings.push_back(w); },
             .no_workers_warning = std::chrono::seconds(1)});
        pool.submit(std::uint64_t{1});
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (warnings.empty() && std::chrono::steady_clock::now() < deadline)
            pool.poll(std::chrono::milliseconds(200));
        REQUIRE(warnings.size() == 1);
        CHECK(warnings[0].find("no worker has joined queue 'lonely'") != std::string::npos);
        CHECK(!pool.wait_for(std::chrono::milliseconds(100)).has_value());
        CHECK(pool.in_flight() == 1);
        // Not calling the pool: its run's heartbeat key is refreshed all the same.
        const std::string alive = "PTTL forkline:lonely:" + pool.run_id() + ":alive";
        const auto ttl = [&] { return std::stoll(redis.command(alive).substr(1)); };
        const auto first = ttl();
        bool refreshed = false;
        while (!refreshed && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            refreshed = ttl() > first;
        }
        CHECK(refreshed);
        CHECK(warnings.size() == 1);  // said once
    }                                 // abandoned: its keys are deleted
    CHECK(redis.command("DBSIZE") == ":0");
}
