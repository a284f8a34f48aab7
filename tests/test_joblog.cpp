// The joblog as a journal: its Command key, reading it back, and what --resume skips.
#include <doctest/doctest.h>
#include <filesystem>
#include <forkline/error.hpp>
#include <fstream>
#include <sstream>
#include <vector>

#include "joblog.hpp"
#include "joblog_reader.hpp"
#include "resume.hpp"
#include "run_command.hpp"
#include "sha256.hpp"

namespace {

constexpr const char* kHeader =
    "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n";

std::string line(int seq, int exit_value, const std::string& command, int signal = 0) {
    return std::to_string(seq) + "\t:\t1796000000.000\t     0.001\t0\t2\t" +
           std::to_string(exit_value) + "\t" + std::to_string(signal) + "\t" + command + "\n";
}

struct Read {
    std::vector<run::JoblogEntry> entries;
    run::JoblogScan scan;
};

Read read(const std::string& text) {
    std::istringstream in(text);
    Read result;
    result.scan = run::read_joblog(in, "joblog 'J'", [&](run::JoblogEntry&& entry) {
        result.entries.push_back(std::move(entry));
    });
    return result;
}

// A joblog file of `text` in a fresh directory, removed at the end of the test.
struct JoblogFile {
    std::filesystem::path dir;
    std::filesystem::path path;
    explicit JoblogFile(const std::string& text) {
        static const std::filesystem::path scratch =
            test_support::scratch_directory("forkline-joblog-test");
        static int files = 0;
        dir = scratch / std::to_string(++files);
        std::filesystem::create_directory(dir);
        path = dir / "joblog";
        std::ofstream(path, std::ios::binary) << text;
    }
    ~JoblogFile() { std::filesystem::remove_all(dir); }
    std::string text() const {
        std::ifstream in(path, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    run::RunOptions options(run::RunOptions::Resume mode) const {
        run::RunOptions options;
        options.joblog = path;
        options.joblog_append = true;
        options.resume = mode;
        return options;
    }
};

}  // namespace

TEST_CASE("sha256: the FIPS vectors and both padding edges") {
    CHECK(run::sha256_hex("") ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(run::sha256_hex("abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(run::sha256_hex(std::string(55, 'a')) ==
          "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    CHECK(run::sha256_hex(std::string(56, 'a')) ==
          "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    CHECK(run::sha256_hex(std::string(64, 'a')) ==
          "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    CHECK(run::sha256_hex(std::string(119, 'a')) ==
          "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
}

TEST_CASE("the Command key: input digest appended, and no command can forge it") {
    CHECK(run::joblog_command("cat", "abc") ==
          "cat #\\input=sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const auto with_input = run::joblog_command_parts(run::joblog_command("wc -l", "x\n"));
    CHECK(with_input.command == "wc -l");
    CHECK(with_input.had_input);
    // A command that spells the suffix itself: its backslash is doubled, so it stays its own.
    const std::string forged =
        "cat #\\input=sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    CHECK(run::joblog_command(forged, "") != run::joblog_command("cat", "abc"));
    const auto parts = run::joblog_command_parts(run::joblog_command(forged, ""));
    CHECK(parts.command == forged);
    CHECK_FALSE(parts.had_input);
    for (const std::string& command :
         {std::string("a\\b\tc\nd\re"), std::string("nul\0\x1b!", 5), std::string("trailing\\")}) {
        CHECK(run::joblog_command_parts(run::joblog_command(command, "")).command == command);
    }
    // GNU parallel writes commands as they are: an unknown escape is kept.
    CHECK(run::joblog_command_parts("printf '%s\\c' x").command == "printf '%s\\c' x");
}

TEST_CASE("reading a joblog: header skipped, fields parsed, a tab in GNU's Command kept") {
    const auto r = read(kHeader + line(2, 0, "echo b") + line(1, 1, "echo\ta", 0) +
                        line(3, -1, "sleep 9", 15));
    REQUIRE(r.entries.size() == 3);
    CHECK(r.entries[0].seq == 2);
    CHECK(r.entries[0].success());
    CHECK(r.entries[0].line == 2);
    CHECK(r.entries[1].command == "echo\ta");
    CHECK_FALSE(r.entries[1].success());
    CHECK(r.entries[2].exit_value == -1);
    CHECK(r.entries[2].signal == 15);
    CHECK(r.scan.ignored.empty());
    CHECK(r.scan.valid_bytes == std::string(kHeader).size() + line(2, 0, "echo b").size() +
                                    line(1, 1, "echo\ta").size() +
                                    line(3, -1, "sleep 9", 15).size());
    // A joblog without a header (GNU parallel's --joblog +NEW) reads the same.
    CHECK(read(line(1, 0, "x")).entries.size() == 1);
    CHECK(read("").entries.empty());
}

TEST_CASE("reading a joblog: a torn or malformed last line is ignored, not an error") {
    const std::string good = kHeader + line(1, 0, "echo a");
    for (const std::string& tail :
         {line(2, 0, "echo b").substr(0, 20), line(2, 0, "echo b").substr(0, 2),
          std::string(37, '\0'), std::string("2\t:\tgarbage\n"), std::string("\n")}) {
        const auto r = read(good + tail);
        INFO(tail);
        CHECK(r.entries.size() == 1);
        CHECK(r.scan.valid_bytes == good.size());
        CHECK(r.scan.ignored.starts_with("line 3: "));
    }
    // Cut right after a newline: nothing torn.
    CHECK(read(good).scan.ignored.empty());
    // A torn header: nothing valid at all.
    const auto torn_header = read(std::string(kHeader).substr(0, 10));
    CHECK(torn_header.scan.valid_bytes == 0);
    CHECK(torn_header.scan.ignored == "line 1: cut short (no newline at its end)");
}

TEST_CASE("reading a joblog: a bad line before the last is an error naming it") {
    for (const std::string& bad : {std::string("2\t:\tx\n"), std::string("\n"), line(0, 0, "seq 0"),
                                   std::string("x\t:\t1.0\t1.0\t0\t0\t0\t0\tx\n"),
                                   std::string("2\t:\t1.0\t1.0\t0\t0\tone\t0\tx\n")}) {
        INFO(bad);
        try {
            read(kHeader + line(1, 0, "a") + bad + line(3, 0, "c"));
            FAIL("no error");
        } catch (const forkline::Error& e) {
            CHECK(std::string(e.what()).starts_with("joblog 'J' line 3: not a joblog line ("));
        }
    }
}

TEST_CASE("resume: --resume skips every job the joblog has, --resume-failed only succeeded ones") {
    const JoblogFile file(kHeader + line(1, 0, run::joblog_command("echo a", "")) +
                          line(2, 1, run::joblog_command("false b", "")) +
                          line(3, 0, run::joblog_command("cat", "in")));
    using Resume = run::RunOptions::Resume;
    run::ResumeFilter resume(file.options(Resume::resume));
    CHECK(resume.skip(9, "echo a", ""));
    CHECK(resume.skip(9, "false b", ""));
    CHECK(resume.skip(9, "cat", "in"));
    CHECK_FALSE(resume.skip(9, "cat", "changed"));  // same command, other input
    CHECK_FALSE(resume.skip(9, "cat", ""));
    CHECK_FALSE(resume.skip(9, "echo a", ""));  // a second one: only one is done
    CHECK(resume.skipped() == 3);
    run::ResumeFilter failed(file.options(Resume::resume_failed));
    CHECK(failed.skip(1, "echo a", ""));
    CHECK_FALSE(failed.skip(2, "false b", ""));
    CHECK(failed.skip(3, "cat", "in"));
    CHECK(file.text().size() > std::string(kHeader).size());  // nothing cut
}

TEST_CASE("resume: identical jobs counted by their Seqs; a re-run's second line is no new job") {
    // Jobs 1 and 2 are the same command: 1 failed, then ran again and succeeded (--resume-failed
    // appends a second line for Seq 1); 2 was never run.
    const JoblogFile file(kHeader + line(1, 1, "echo same") + line(1, 0, "echo same"));
    using Resume = run::RunOptions::Resume;
    for (const auto mode : {Resume::resume, Resume::resume_failed}) {
        run::ResumeFilter resume(file.options(mode));
        CHECK(resume.skip(1, "echo same", ""));
        CHECK_FALSE(resume.skip(2, "echo same", ""));
    }
}

TEST_CASE("resume: a torn last line is cut off (with a warning) before the run appends") {
    const std::string good = kHeader + line(1, 0, "echo a");
    const JoblogFile file(good + line(2, 0, "echo b").substr(0, 12));
    run::ResumeFilter resume(file.options(run::RunOptions::Resume::resume));
    CHECK(resume.skip(1, "echo a", ""));
    CHECK_FALSE(resume.skip(2, "echo b", ""));
    CHECK(file.text() == good);
}

TEST_CASE("resume: a missing joblog is an empty one; without resume nothing is skipped") {
    const JoblogFile file("");
    std::filesystem::remove(file.path);
    run::ResumeFilter resume(file.options(run::RunOptions::Resume::resume));
    CHECK_FALSE(resume.skip(1, "echo a", ""));
    run::ResumeFilter none(run::RunOptions{});
    CHECK_FALSE(none.skip(1, "echo a", ""));
}

TEST_CASE("--retry-failed: one job per Seq, its last command; failed ones with input refused") {
    const JoblogFile file(kHeader + line(1, 0, "echo a") + line(2, 1, "exit 1") +
                          line(3, 2, "echo old") + line(3, 2, "echo c\\\\d") +
                          line(2, 0, "exit 0"));
    const auto jobs = run::jobs_to_retry(file.path);
    REQUIRE(jobs.size() == 3);
    CHECK(jobs[0].seq == 1);
    CHECK(jobs[1].seq == 2);
    CHECK(jobs[2].command == "echo c\\d");
    run::ResumeFilter retry(file.options(run::RunOptions::Resume::retry_failed));
    CHECK(retry.skip(1, jobs[0].command, ""));
    CHECK(retry.skip(2, jobs[1].command, ""));  // failed once, then succeeded
    CHECK_FALSE(retry.skip(3, jobs[2].command, ""));

    const JoblogFile with_input(kHeader + line(1, 0, run::joblog_command("cat", "x")) +
                                line(2, 1, run::joblog_command("cat", "y")));
    CHECK_THROWS_WITH_AS(run::jobs_to_retry(with_input.path),
                         doctest::Contains("line 3: job 2 had stdin input"), forkline::Error);
}

TEST_CASE("Host: ':' for this host, a worker host's name as it is, a tab in it escaped") {
    const JoblogFile file("");
    {
        run::Joblog log(file.path, {.append = true, .sync_interval_s = 0});
        run::FinishedJob job;
        job.spec.seq = 1;
        job.spec.command = "true";
        log.write(job);
        job.spec.seq = 2;
        job.host = "render-7.example";
        log.write(job);
        job.spec.seq = 3;
        job.host = "odd\tname";
        log.write(job);
    }
    const auto entries = read(file.text()).entries;
    REQUIRE(entries.size() == 3);
    const auto host_of = [&](std::size_t i) {
        const auto text = file.text();
        std::istringstream lines(text);
        std::string line;
        for (std::size_t n = 0; n <= i + 1; ++n) std::getline(lines, line);  // after the header
        return line.substr(line.find('\t') + 1,
                           line.find('\t', line.find('\t') + 1) - line.find('\t') - 1);
    };
    CHECK(host_of(0) == ":");
    CHECK(host_of(1) == "render-7.example");
    CHECK(host_of(2) == "odd\\tname");
}
