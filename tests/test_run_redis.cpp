// forkline run --redis end to end: a private redis-server per test case, worker hosts as
// separate `forkline worker` processes (each with its own --host name and working
// directory), and, as root where `ip netns` works, hosts in network namespaces of their
// own. Every job reported exactly once, outputs byte for byte, no key left. No timing
// thresholds: every wait is bounded.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "redis_server.hpp"
#include "run_command.hpp"
#include "spawned.hpp"

using test_support::lines_of;
using test_support::RedisServer;
using test_support::run_command;
using test_support::shell_quoted;

namespace {

namespace fs = std::filesystem;

// A fresh directory per test case (removed at exit with the scratch directory).
fs::path test_directory() {
    static const fs::path root = test_support::scratch_directory("forkline run redis");
    static int count = 0;
    const auto path = root / std::to_string(++count);
    fs::create_directories(path);
    return path;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A worker host: `forkline worker --redis URL --host NAME -j N` started in `directory` (the
// jobs run there), optionally inside network namespace `netns`; SIGTERMed and reaped at the
// end (or SIGKILLed by the test).
class Host {
  public:
    Host(const std::string& url, const std::string& name, const fs::path& directory,
         const std::string& workers = "2", const std::string& netns = "") {
        fs::create_directories(directory);
        const auto command = "cd " + shell_quoted(directory) + " && exec " +
                             (netns.empty() ? "" : "ip netns exec " + netns + " ") +
                             shell_quoted(FORKLINE_PATH) + " worker --redis " + shell_quoted(url) +
                             " --host " + shell_quoted(name) + " -j " + workers;
        process_.emplace(std::vector<std::string>{"/bin/sh", "-c", command}, -1, -1);
    }
    ~Host() {
        if (process_) process_->stop(SIGTERM);
    }
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    pid_t pid() const { return process_->pid(); }
    void kill() {  // SIGKILL: the host dies with the jobs it holds
        process_->stop(SIGKILL);
        process_.reset();
    }

  private:
    std::optional<test_support::Spawned> process_;
};

// forkline run in the background, its stdout and stderr in files: the test signals it.
class Submitter {
  public:
    Submitter(const fs::path& directory, const std::vector<std::string>& args)
        : out_path_(directory / "run.out"), err_path_(directory / "run.err") {
        std::string command = "exec " + shell_quoted(FORKLINE_PATH) + " run";
        for (const auto& arg : args) command.append(" ").append(shell_quoted(arg));
        command += " > " + shell_quoted(out_path_) + " 2> " + shell_quoted(err_path_);
        process_.emplace(std::vector<std::string>{"/bin/sh", "-c", command}, -1, -1);
    }

    void signal(int number) const { ::kill(process_->pid(), number); }

    // Waits (at most 120 s, then SIGKILL) for its end.
    test_support::CommandResult finish() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        siginfo_t info{};
        // WNOWAIT: it stays a zombie until stop(0) reaps it and gives its status.
        while (::waitid(P_PID, static_cast<id_t>(process_->pid()), &info,
                        WEXITED | WNOHANG | WNOWAIT) == 0 &&
               info.si_pid == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                FAIL_CHECK("forkline run did not end within 120 s");
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        const int status = process_->stop(info.si_pid == 0 ? SIGKILL : 0);
        process_.reset();
        test_support::CommandResult result;
        result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        result.out = read_file(out_path_);
        result.err = read_file(err_path_);
        return result;
    }

  private:
    fs::path out_path_;
    fs::path err_path_;
    std::optional<test_support::Spawned> process_;
};

// The numbers from..to, one per line: what `echo {}` prints for them.
std::vector<std::string> numbers(int from, int to) {
    std::vector<std::string> all;
    for (int n = from; n <= to; ++n) all.push_back(std::to_string(n));
    return all;
}

std::vector<std::string> sorted_numerically(std::vector<std::string> lines) {
    std::sort(lines.begin(), lines.end(),
              [](const auto& a, const auto& b) { return std::stoll(a) < std::stoll(b); });
    return lines;
}

struct JoblogLine {
    std::string seq, host, exitval, signal, command;
};

// The joblog's lines after its header, by their tab-separated fields.
std::vector<JoblogLine> joblog_lines(const fs::path& path) {
    std::vector<JoblogLine> lines;
    const auto text = lines_of(read_file(path));
    REQUIRE(!text.empty());
    CHECK(text.front() ==
          "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand");
    for (std::size_t i = 1; i < text.size(); ++i) {
        std::vector<std::string> fields;
        std::stringstream line(text[i]);
        for (std::string field; std::getline(line, field, '\t');) fields.push_back(field);
        REQUIRE(fields.size() == 9);
        lines.push_back({fields[0], fields[1], fields[6], fields[7], fields[8]});
    }
    return lines;
}

// Waits (bounded, 30 s) until `directory` has `count` files whose names start with `prefix`.
std::set<std::string> wait_for_files(const fs::path& directory, const std::string& prefix,
                                     std::size_t count) {
    std::set<std::string> found;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        found.clear();
        for (const auto& entry : fs::directory_iterator(directory)) {
            const auto name = entry.path().filename().string();
            if (name.starts_with(prefix)) found.insert(name.substr(prefix.size()));
        }
        if (found.size() >= count) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return found;
}

// A redis-server and two worker hosts, host-a and host-b, each with `workers` command
// workers and a directory of its own under `dir` (where its jobs run).
struct TwoHosts {
    explicit TwoHosts(const std::string& workers = "2")
        : dir(test_directory()),
          a(redis.url(), "host-a", dir / "a", workers),
          b(redis.url(), "host-b", dir / "b", workers) {}

    RedisServer redis;
    fs::path dir;
    Host a;
    Host b;
};

// The joblog at `path` has each of `count` jobs once, each succeeded.
void check_logged_once(const fs::path& path, std::size_t count) {
    std::set<std::string> seqs;
    for (const auto& line : joblog_lines(path)) {
        CHECK(seqs.insert(line.seq).second);
        CHECK(line.exitval == "0");
    }
    CHECK(seqs.size() == count);
}

// 40 jobs on host-a and host-b: once host-a runs one, `fail_host_a` takes it away (SIGKILL,
// a cut network). Every job must still be printed and logged exactly once, exit 0.
template <typename Failure>
void check_host_failure(const RedisServer& redis, const fs::path& dir, Failure fail_host_a) {
    const auto all = numbers(1, 40);
    std::vector<std::string> args{"--redis",   redis.url(), "--joblog",
                                  dir / "log", "--shell",   "touch started.{}; sleep 0.2; echo {}",
                                  ":::"};
    args.insert(args.end(), all.begin(), all.end());
    Submitter run(dir, args);
    REQUIRE(!wait_for_files(dir / "a", "started.", 1).empty());
    fail_host_a();
    const auto r = run.finish();
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(sorted_numerically(lines_of(r.out)) == all);
    check_logged_once(dir / "log", all.size());
    CHECK(redis.command("DBSIZE") == ":0");
}

// Waits (bounded, 30 s) until one key matches `pattern`.
void wait_for_key(const RedisServer& redis, const std::string& pattern) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (redis.command("KEYS " + pattern) != "*1" && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

std::string this_host() {
    char name[256] = "";
    ::gethostname(name, sizeof name - 1);
    return name;
}

}  // namespace

TEST_CASE("2 hosts x 1000 jobs: each reported once, the joblog names the hosts, no key left") {
    TwoHosts hosts;
    auto& redis = hosts.redis;
    const auto& dir = hosts.dir;
    std::string input;
    for (const auto& n : numbers(1, 1000)) input += n + "\n";
    const auto run = run_command(
        {FORKLINE_PATH, "run", "--redis", redis.url(), "--joblog", dir / "log", "echo {}"}, input,
        std::chrono::seconds(120));
    INFO(run.err);
    CHECK(run.code == 0);
    CHECK(run.err.empty());
    CHECK(sorted_numerically(lines_of(run.out)) == numbers(1, 1000));
    check_logged_once(dir / "log", 1000);
    for (const auto& line : joblog_lines(dir / "log"))
        CHECK((line.host == "host-a" || line.host == "host-b"));
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("outputs of 1 byte, 64 KiB and 10 MiB come back whole: printed, in --results, in order") {
    TwoHosts hosts;
    auto& redis = hosts.redis;
    const auto& dir = hosts.dir;
    // Each job keeps a copy of what it printed (random bytes, NULs included) beside it.
    const auto sent = dir / "sent";
    fs::create_directories(sent);
    const std::vector<std::string> sizes{"1", "65535", "65536", "65537", "10485760"};
    std::vector<std::string> args{
        "--redis",
        redis.url(),
        "-k",
        "--results",
        dir / "results",
        "--shell",
        "head -c {} /dev/urandom | tee " + shell_quoted(sent) + "/{}; echo err{} >&2",
        ":::"};
    args.insert(args.end(), sizes.begin(), sizes.end());
    Submitter run(dir, args);
    const auto r = run.finish();
    INFO(r.err);
    CHECK(r.code == 0);
    std::string expected;
    std::string expected_err;
    for (const auto& size : sizes) {
        const auto bytes = read_file(sent / size);
        CHECK(bytes.size() == std::stoull(size));
        expected += bytes;
        const auto err = std::string("err").append(size).append("\n");
        expected_err += err;
        CHECK(read_file(dir / "results" / "1" / size / "stdout") == bytes);
        CHECK(read_file(dir / "results" / "1" / size / "stderr") == err);
        CHECK(read_file(dir / "results" / "1" / size / "exitval") == "0");
    }
    CHECK(r.out == expected);  // -k: in input order
    CHECK(r.err == expected_err);
    CHECK(lines_of(read_file(dir / "results" / "index.jsonl")).size() == sizes.size());
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("--max-output: a larger output fails its job with a message; the others are printed") {
    RedisServer redis;
    const auto dir = test_directory();
    const Host a(redis.url(), "host-a", dir / "a");
    const auto r =
        run_command({FORKLINE_PATH, "run", "--redis", redis.url(), "--max-output", "100000", "-k",
                     "--shell", "head -c {} /dev/zero | tr '\\0' x", ":::", "3", "200000"},
                    "", std::chrono::seconds(60));
    CHECK(r.code == 1);
    CHECK(r.out == "xxx");
    CHECK(r.err ==
          "forkline run: job 2: its output of 200000 bytes exceeds --max-output (100000 "
          "bytes): not sent\n");
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("a template job that fails on one host only: the joblog says where, exit = failures") {
    RedisServer redis;
    const auto dir = test_directory();
    // Only host-a's directory has the file the job needs.
    fs::create_directories(dir / "a");
    std::ofstream(dir / "a" / "needed") << "here\n";
    const Host a(redis.url(), "host-a", dir / "a", "1");
    const Host b(redis.url(), "host-b", dir / "b", "1");
    std::vector<std::string> argv{FORKLINE_PATH, "run",    "--redis",       redis.url(), "--joblog",
                                  dir / "log",   "--json", "cat needed {}", ":::"};
    argv.insert(argv.end(), 60, "/dev/null");
    const auto r = run_command(argv, "", std::chrono::seconds(60));
    const auto log = joblog_lines(dir / "log");
    REQUIRE(log.size() == 60);
    int failed = 0;
    for (const auto& line : log) {
        CHECK(line.exitval == (line.host == "host-a" ? "0" : "1"));
        failed += line.host == "host-b" ? 1 : 0;
    }
    CHECK(r.code == failed);
    // --json names the host too.
    for (const auto& line : lines_of(r.out))
        CHECK(line.find("\"host\":\"host-") != std::string::npos);
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("--keep-order across hosts: input order, whatever the completion order") {
    TwoHosts hosts;
    auto& redis = hosts.redis;
    // Earlier jobs sleep longer: they end last.
    std::vector<std::string> argv{FORKLINE_PATH,
                                  "run",
                                  "--redis",
                                  redis.url(),
                                  "-k",
                                  "--shell",
                                  "sleep 0.0$((9 - {} % 10)); echo {}",
                                  ":::"};
    const auto all = numbers(1, 100);
    argv.insert(argv.end(), all.begin(), all.end());
    const auto r = run_command(argv, "", std::chrono::seconds(60));
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(lines_of(r.out) == all);
}

TEST_CASE("a host SIGKILLed mid-run: its jobs run again on the other, each reported once") {
    TwoHosts hosts;
    check_host_failure(hosts.redis, hosts.dir, [&] { hosts.a.kill(); });
}

TEST_CASE("a host SIGKILLed mid-job takes the job's processes with it; another host reruns it") {
    RedisServer redis;
    const auto dir = test_directory();
    std::optional<Host> a(std::in_place, redis.url(), "host-a", dir / "a", "1");
    // The first run leaves a background sleep (a grandchild of the host's command worker)
    // and writes its pid; the rerun, on host-b, just says so.
    Submitter run(dir, {"--redis", redis.url(), "--shell",
                        ": {}; if [ -e ../once ]; then echo again; else touch ../once; "
                        "sleep 987.65 & echo $! > ../sleeper.pid; wait; fi",
                        ":::", "1"});
    REQUIRE(wait_for_files(dir, "sleeper.pid", 1).size() == 1);
    pid_t sleeper = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (sleeper == 0 && std::chrono::steady_clock::now() < deadline) {
        std::istringstream(read_file(dir / "sleeper.pid")) >> sleeper;  // may be half written
        if (sleeper == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(sleeper > 0);
    a->kill();
    a.reset();
    // Gone, or at most a zombie left to whoever reaps it: never still sleeping.
    const auto running = [&] {
        const auto stat = read_file("/proc/" + std::to_string(sleeper) + "/stat");
        return !stat.empty() && stat.find(") Z") == std::string::npos &&
               read_file("/proc/" + std::to_string(sleeper) + "/cmdline").find("987.65") !=
                   std::string::npos;
    };
    while (running() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(!running());
    const Host b(redis.url(), "host-b", dir / "b", "1");
    const auto r = run.finish();
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.out == "again\n");
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("Redis restarted mid-run: hosts and the submitter reconnect, each job reported once") {
    TwoHosts hosts;
    auto& redis = hosts.redis;
    const auto& dir = hosts.dir;
    const auto all = numbers(1, 200);
    std::vector<std::string> args{"--redis", redis.url(), "--shell",
                                  "touch started.{}; sleep 0.01; head -c 70000 /dev/zero; echo {}",
                                  ":::"};
    args.insert(args.end(), all.begin(), all.end());
    Submitter run(dir, args);
    REQUIRE(!wait_for_files(dir / "a", "started.", 5).empty());
    redis.stop(SIGTERM);
    redis.start();
    const auto r = run.finish();
    INFO(r.err);
    CHECK(r.code == 0);
    std::vector<std::string> printed;
    for (auto line : lines_of(r.out)) {
        const auto start = line.find_first_not_of('\0');  // after each job's 70000 NULs
        REQUIRE(start == 70000);
        printed.push_back(line.substr(start));
    }
    CHECK(sorted_numerically(printed) == all);
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("SIGINT once: the running jobs finish, nothing new starts on any host; exit 130") {
    TwoHosts hosts{"1"};
    auto& redis = hosts.redis;
    const auto& dir = hosts.dir;
    const auto all = numbers(1, 20);
    std::vector<std::string> args{"--redis", redis.url(), "--shell",
                                  "touch started.{}; sleep 2; echo {}", ":::"};
    args.insert(args.end(), all.begin(), all.end());
    Submitter run(dir, args);
    REQUIRE(wait_for_files(dir / "a", "started.", 1).size() == 1);
    REQUIRE(wait_for_files(dir / "b", "started.", 1).size() == 1);
    run.signal(SIGINT);
    const auto r = run.finish();
    CHECK(r.code == 130);
    // Exactly the jobs that started were run to their end and printed.
    auto started = wait_for_files(dir / "a", "started.", 0);
    started.merge(wait_for_files(dir / "b", "started.", 0));
    const auto printed = lines_of(r.out);
    CHECK(std::set<std::string>(printed.begin(), printed.end()) == started);
    CHECK(printed.size() < all.size());
    CHECK(r.err == "forkline run: " + std::to_string(all.size() - printed.size()) + " of " +
                       std::to_string(all.size()) + " jobs not run (interrupted)\n");
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("SIGINT twice: the jobs running on the hosts are cancelled; exit 130") {
    TwoHosts hosts{"1"};
    auto& redis = hosts.redis;
    const auto& dir = hosts.dir;
    Submitter run(dir, {"--redis", redis.url(), "--joblog", dir / "log", "--shell",
                        "touch started; sleep 60; touch finished", ":::", "1", "2", "3", "4"});
    REQUIRE(wait_for_files(dir / "a", "started", 1).size() == 1);
    REQUIRE(wait_for_files(dir / "b", "started", 1).size() == 1);
    run.signal(SIGINT);
    // Two SIGINTs sent at once may arrive as one: the second goes once the first was seen
    // (the run's stop flag is in Redis).
    wait_for_key(redis, "forkline:*:stop");
    run.signal(SIGINT);
    const auto r = run.finish();
    CHECK(r.code == 130);
    CHECK(!fs::exists(dir / "a" / "finished"));
    CHECK(!fs::exists(dir / "b" / "finished"));
    CHECK(joblog_lines(dir / "log").empty());  // cancelled jobs are not logged (--resume)
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("-j N with --redis: local command workers, alone or beside the hosts") {
    RedisServer redis;
    const auto dir = test_directory();
    std::vector<std::string> argv{FORKLINE_PATH, "run",      "--redis",   redis.url(), "-j",
                                  "2",           "--joblog", dir / "log", "echo {}",   ":::"};
    const auto all = numbers(1, 50);
    argv.insert(argv.end(), all.begin(), all.end());
    const auto r = run_command(argv, "", std::chrono::seconds(60));
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(sorted_numerically(lines_of(r.out)) == all);
    for (const auto& line : joblog_lines(dir / "log")) CHECK(line.host == this_host());
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("--redis refuses what cannot work across hosts, in one line") {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--redis", "redis://127.0.0.1:1", "-u", "echo", ":::", "a"},
         "forkline run: error: -u needs the output as it comes: not with --redis (each job's "
         "output comes back when it ends) (see forkline run --help)\n"},
        {{"--redis", "redis://127.0.0.1:1", "--line-buffer", "echo", ":::", "a"},
         "forkline run: error: --line-buffer needs the output as it comes: not with --redis "
         "(each job's output comes back when it ends) (see forkline run --help)\n"},
        {{"--queue", "q", "echo", ":::", "a"},
         "forkline run: error: --queue and --max-output go with --redis URL (see forkline run "
         "--help)\n"},
        {{"--redis", "http://x", "echo", ":::", "a"},
         "forkline run: error: bad Redis URL 'http://x': expected "
         "redis://[user:password@]host[:port][/db] "
         "(see "
         "forkline run --help)\n"},
        {{"--redis", "redis://127.0.0.1:1", "--queue", "a b", "echo", ":::", "a"},
         "forkline run: error: bad queue name 'a b': 1 to 64 letters, digits, '_', '.' or '-' "
         "(see forkline run --help)\n"},
    };
    for (const auto& [args, message] : cases) {
        std::vector<std::string> argv{FORKLINE_PATH, "run"};
        argv.insert(argv.end(), args.begin(), args.end());
        const auto r = run_command(argv);
        CHECK(r.code == 255);
        CHECK(r.out.empty());
        CHECK(r.err == message);
    }
    const auto worker = run_command(
        {FORKLINE_PATH, "worker", "--redis", "redis://127.0.0.1:1", "--max-size", "10"});
    CHECK(worker.code == 2);
    CHECK(worker.err ==
          "forkline worker: error: --max-size is for a PROGRAM: command jobs take up to 1 MiB "
          "(see forkline worker --help)\n");
}

namespace {

// A network namespace with a veth pair to this one: HOST_ADDRESS here, NS_ADDRESS inside
// (a /30 of 10.231.0.0/16 chosen by this process's pid and `index`). Made only as root
// where `ip netns` works (made() says); deleted, with its veth pair, at the end.
class NetworkNamespace {
  public:
    explicit NetworkNamespace(int index)
        : name_("fl-" + std::to_string(::getpid()) + "-" + std::to_string(index)),
          link_("fl" + std::to_string(::getpid() % 10'000'000) + "v" + std::to_string(index)) {
        const auto subnet = "10.231." + std::to_string(::getpid() % 250) + ".";
        host_address_ = subnet + std::to_string(4 * index + 1);
        const auto inside = subnet + std::to_string(4 * index + 2);
        if (::geteuid() != 0 || !ip({"netns", "add", name_})) return;
        made_ =
            ip({"link", "add", link_, "type", "veth", "peer", "name", "eth0", "netns", name_}) &&
            ip({"addr", "add", host_address_ + "/30", "dev", link_}) &&
            ip({"link", "set", link_, "up"}) &&
            ip({"-n", name_, "addr", "add", inside + "/30", "dev", "eth0"}) &&
            ip({"-n", name_, "link", "set", "eth0", "up"}) &&
            ip({"-n", name_, "link", "set", "lo", "up"});
        created_ = true;
    }
    ~NetworkNamespace() {
        if (created_) ip({"netns", "del", name_});  // its end of the veth pair goes with it
        if (made_) ip({"link", "del", link_});      // gone already, normally
    }
    NetworkNamespace(const NetworkNamespace&) = delete;
    NetworkNamespace& operator=(const NetworkNamespace&) = delete;

    bool made() const { return made_; }
    const std::string& name() const { return name_; }
    const std::string& host_address() const { return host_address_; }
    // Cuts (or restores) its network: nothing goes in or out any more.
    bool set_link(bool up) const { return ip({"link", "set", link_, up ? "up" : "down"}); }

  private:
    static bool ip(std::vector<std::string> args) {
        args.insert(args.begin(), "ip");
        return run_command(args, "", std::chrono::seconds(20)).code == 0;
    }

    std::string name_;
    std::string link_;
    std::string host_address_;
    bool created_ = false;
    bool made_ = false;
};

}  // namespace

TEST_CASE("hosts in network namespaces; one host's network cut mid-run: its jobs run again") {
    const NetworkNamespace net_a(0);
    const NetworkNamespace net_b(1);
    if (!net_a.made() || !net_b.made()) {
        MESSAGE(
            "skipped: network namespaces need root and a working `ip netns` (the same "
            "cases run above with hosts as plain processes)");
        return;
    }
    RedisServer redis({net_a.host_address(), net_b.host_address()});
    const auto dir = test_directory();
    Host a(redis.url_on(net_a.host_address()), "host-a", dir / "a", "2", net_a.name());
    const Host b(redis.url_on(net_b.host_address()), "host-b", dir / "b", "2", net_b.name());
    check_host_failure(redis, dir, [&] { REQUIRE(net_a.set_link(false)); });
    a.kill();  // its connection may hang on the cut link: SIGKILL, not SIGTERM
}

TEST_CASE("no host yet: the run says so once, then a host started late joins it") {
    RedisServer redis;
    const auto dir = test_directory();
    Submitter run(dir, {"--redis", redis.url(), "--queue", "late", "echo {}", ":::", "1", "2"});
    // Bounded: the warning comes after 5 s.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (read_file(dir / "run.err").find('\n') == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(read_file(dir / "run.err") ==
          "forkline run: warning: no worker has joined queue 'late' at " + redis.url() +
              " in 5 s; jobs are waiting (start one with: forkline worker --redis URL --queue "
              "late)\n");
    const auto command = "cd " + shell_quoted(dir) + " && exec " + shell_quoted(FORKLINE_PATH) +
                         " worker --redis " + shell_quoted(redis.url()) + " --queue late";
    test_support::Spawned host({"/bin/sh", "-c", command}, -1, -1);
    const auto r = run.finish();
    host.stop(SIGTERM);
    CHECK(r.code == 0);
    CHECK(sorted_numerically(lines_of(r.out)) == numbers(1, 2));
    CHECK(redis.command("DBSIZE") == ":0");
}

TEST_CASE("no host at all: SIGINT or SIGTERM ends the run, its queued jobs counted as not run") {
    RedisServer redis;
    for (const int signal : {SIGINT, SIGTERM}) {
        CAPTURE(signal);
        const auto dir = test_directory();
        Submitter run(
            dir, {"--redis", redis.url(), "--queue", "nohost", "echo {}", ":::", "1", "2", "3"});
        wait_for_key(redis, "forkline:nohost:*:jobs");  // the jobs are in Redis
        run.signal(signal);
        const auto r = run.finish();
        CHECK(r.code == 128 + signal);
        CHECK(r.out.empty());
        // (after the no-worker warning, should the machine be slow enough for it)
        CHECK(r.err.ends_with("forkline run: 3 of 3 jobs not run (interrupted)\n"));
        CHECK(redis.command("DBSIZE") == ":0");
    }
}
