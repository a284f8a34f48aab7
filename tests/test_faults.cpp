// Resource faults and hostile inputs: each a clear error, no hang, no leak.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <forkline/forkline.hpp>
#include <fstream>
#include <map>

#include "run_command.hpp"
#include "test_job.hpp"
#include "worker_start_fault.hpp"

using test_support::lines_of;
using test_support::run_command;

TEST_CASE("too few descriptors (ulimit -n): a one-line error, exit 1") {
    const auto r = run_command({"/bin/sh", "-c", "ulimit -n 5; exec \"$0\" 2", PROCS_PATH});
    CHECK(r.code == 1);
    CHECK(lines_of(r.err).size() == 1);
    CHECK(r.err.starts_with("procs: error: "));
}

TEST_CASE("/dev/shm full: a clear error, exit 1 (needs root for a private tmpfs)") {
    if (::geteuid() != 0 || ::access("/usr/bin/unshare", X_OK) != 0) return;
    const auto r =
        run_command({"/usr/bin/unshare", "-m", "/bin/sh", "-c",
                     "mount -t tmpfs -o size=8k tmpfs /dev/shm && exec \"$0\" 2", PROCS_PATH});
    if (r.err.find("mount") != std::string::npos) return;  // no mount namespace here
    CHECK(r.code == 1);
    CHECK(r.err.find("cannot create shared-memory segment") != std::string::npos);
}

TEST_CASE("no more processes (RLIMIT_NPROC): a clear error, exit 1 (needs root to become nobody)") {
    // Root is exempt from RLIMIT_NPROC: run as nobody with a limit of one process.
    if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0 ||
        ::access("/usr/bin/prlimit", X_OK) != 0)
        return;
    const std::vector<std::string> as_nobody = {"/usr/bin/setpriv", "--reuid=65534",
                                                "--regid=65534",    "--clear-groups",
                                                "/usr/bin/prlimit", "--nproc=1"};
    auto run = [&](std::vector<std::string> command) {
        command.insert(command.begin(), as_nobody.begin(), as_nobody.end());
        return run_command(command);
    };
    const auto procs = run({PROCS_PATH, "2"});
    if (procs.err.find("Permission denied") != std::string::npos)
        return;  // build tree not readable by nobody
    CHECK(procs.code == 1);
    // The first line (under LeakSanitizer, its own complaint about the limit follows).
    const auto build_dir = std::string(PROCS_PATH).substr(0, std::string(PROCS_PATH).rfind('/'));
    CHECK(lines_of(procs.err).at(0) == "procs: error: pool: failed to start " + build_dir +
                                           "/prime_worker: Resource temporarily unavailable");
    const auto runpipe = run({RUNPIPE_PATH, "true | true"});
    CHECK(runpipe.code == 1);
    CHECK(runpipe.err.find("Resource temporarily unavailable") != std::string::npos);
}

TEST_CASE("a worker that exits 0 without answering its sentinel is an error, not a hang") {
    forkline::Pool pool(
        {.worker_program = TEST_WORKER_PATH, .workers = 1, .max_job_size = sizeof(TestJob)},
        [](const forkline::JobResult&) {});
    pool.submit(TestJob{1, 0, TestJob::exit_quietly});
    CHECK_THROWS_WITH_AS(pool.wait(),
                         doctest::Contains("exited with code 0 without answering its sentinel"),
                         forkline::Error);
}

TEST_CASE("a worker refuses a segment that is not one: wrong magic, too small, open to others") {
    char path[] = "/tmp/forkline-hostile-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    std::vector<char> junk(8192, 'x');
    REQUIRE(::write(fd, junk.data(), junk.size()) == static_cast<ssize_t>(junk.size()));
    ::close(fd);
    auto attach_to = [&](mode_t mode, off_t size) {
        ::chmod(path, mode);
        ::truncate(path, size);
        return run_command({"/bin/sh", "-c",
                            "FORKLINE_SEGMENT_FD=3 FORKLINE_WORKER_INDEX=0 exec \"$0\" 3<>\"$1\"",
                            TEST_WORKER_PATH, path});
    };
    const auto bad_magic = attach_to(0600, 8192);
    CHECK(bad_magic.code == 1);
    CHECK(bad_magic.err == "forkline worker: refusing segment: segment has a wrong magic number\n");
    const auto small = attach_to(0600, 16);
    CHECK(small.err.find("smaller than its header") != std::string::npos);
    const auto open = attach_to(0644, 8192);
    CHECK(open.err.find("accessible to other users") != std::string::npos);
    const auto no_segment = run_command({TEST_WORKER_PATH});
    CHECK(no_segment.code == 1);
    CHECK(no_segment.err.find("not started by a forkline pool") != std::string::npos);
    ::unlink(path);
}

TEST_CASE("hostile pipeline strings: huge, deeply quoted, invalid UTF-8, NUL bytes") {
    const std::string huge = "echo " + std::string(1 << 20, 'a');
    CHECK(forkline::parse_pipeline(huge)[0].argv[1].size() == (1u << 20));
    std::string nested;
    for (int i = 0; i < 10000; ++i) nested += "'a'\"b\"\\c";
    CHECK(forkline::parse_pipeline("echo " + nested)[0].argv.size() == 2);
    const std::string binary("echo \xff\xfe\x01 x", 10);
    CHECK(forkline::parse_pipeline(binary)[0].argv[1] == "\xff\xfe\x01");
    // execve cannot pass a NUL: refused, with its column, before anything starts.
    const std::string with_nul("echo a\0b", 8);
    CHECK_THROWS_WITH_AS(forkline::parse_pipeline(with_nul),
                         "syntax error at column 7: a NUL byte cannot be passed to a program",
                         forkline::ParseError);
}

namespace {

// The pool's worker starts fail with EAGAIN while it lives (count < 0: all of them).
struct RefusedWorkerStarts {
    explicit RefusedWorkerStarts(int count) { forkline::refuse_worker_starts_for_testing(count); }
    ~RefusedWorkerStarts() { forkline::refuse_worker_starts_for_testing(0); }
};

struct ResultsById {
    std::map<forkline::JobId, std::vector<forkline::OwnedJobResult>> by_id;
    void operator()(const forkline::JobResult& r) {
        by_id[r.id].push_back(
            {r.id, r.status, r.attempts, r.elapsed, {r.data.begin(), r.data.end()}});
    }
};

forkline::PoolOptions two_test_workers() {
    return {.worker_program = TEST_WORKER_PATH,
            .workers = 2,
            .max_job_size = sizeof(TestJob),
            .claim_batch = 1};
}

}  // namespace

TEST_CASE("refused worker respawns (EAGAIN) are retried after a pause: every job still runs") {
    ResultsById results;
    forkline::Pool pool(two_test_workers(), std::ref(results));
    const RefusedWorkerStarts refused(5);
    constexpr std::uint64_t kJobs = 40;
    for (std::uint64_t i = 0; i < kJobs; ++i) pool.submit(TestJob{i + 1, 2000});
    pool.signal_workers(SIGKILL);
    const auto summary = pool.wait();
    CHECK(summary.worker_deaths == 2);
    CHECK(summary.succeeded == kJobs);
    REQUIRE(results.by_id.size() == kJobs);
    for (const auto& [id, list] : results.by_id) CHECK(list.size() == 1);
}

TEST_CASE("no worker can be started at all: every job is reported failed with the reason") {
    ResultsById results;
    forkline::Pool pool(two_test_workers(), std::ref(results));
    const RefusedWorkerStarts refused(-1);
    constexpr std::uint64_t kJobs = 20;
    for (std::uint64_t i = 0; i < kJobs; ++i) pool.submit(TestJob{i + 1, 2000});
    pool.signal_workers(SIGKILL);
    forkline::PoolSummary summary;
    REQUIRE_NOTHROW(summary = pool.wait());
    CHECK(summary.submitted == kJobs);
    CHECK(summary.succeeded + summary.failed == kJobs);
    CHECK(summary.failed > 0);
    REQUIRE(results.by_id.size() == kJobs);
    const std::string reason = std::string("pool: no worker could be started: failed to start ") +
                               TEST_WORKER_PATH + ": Resource temporarily unavailable";
    for (const auto& [id, list] : results.by_id) {
        REQUIRE(list.size() == 1);
        if (list[0].status == forkline::JobStatus::ok) continue;
        CHECK(list[0].status == forkline::JobStatus::failed);
        CHECK(std::string(reinterpret_cast<const char*>(list[0].data.data()),
                          list[0].data.size()) == reason);
    }
}
