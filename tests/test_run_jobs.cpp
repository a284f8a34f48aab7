// Building `forkline run` jobs: placeholders, quoting, input sources, records.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <forkline/pipeline.hpp>
#include <fstream>

#include "argument_records.hpp"
#include "job_report.hpp"
#include "job_source.hpp"
#include "joblog.hpp"
#include "line_jobs.hpp"
#include "output_directory.hpp"
#include "placeholders.hpp"
#include "record_reader.hpp"
#include "template_jobs.hpp"
#include "unique_fd.hpp"
#include "usage_error.hpp"

TEST_CASE("placeholders") {
    CHECK(run::expand("gzip -9 {}", {"a.log"}, 1) == "gzip -9 'a.log'");
    CHECK(run::expand("mv {} {.}.txt", {"dir/x.tar.gz"}, 1) == "mv 'dir/x.tar.gz' 'dir/x.tar'.txt");
    CHECK(run::expand("echo {/} {//} {#}", {"/a/b/c.d"}, 7) == "echo 'c.d' '/a/b' 7");
    CHECK(run::expand("echo", {"x", "y z"}, 1) == "echo 'x' 'y z'");
    CHECK(run::expand("echo {.}", {".bashrc"}, 1) == "echo '.bashrc'");
    CHECK(run::expand("echo {.}", {"dir.d/file"}, 1) == "echo 'dir.d/file'");
}

TEST_CASE("quoted arguments come back as one word, whatever they hold") {
    for (const std::string odd :
         {"a b", "it's", "x\"y", "$HOME", "*", "a|b", "back\\slash", "'", ""}) {
        const auto stages = forkline::parse_pipeline(run::expand("echo {}", {odd}, 1));
        REQUIRE(stages.size() == 1);
        CHECK(stages[0].argv == std::vector<std::string>{"echo", odd});
    }
}

namespace {

// A file in /tmp holding `text`, removed at the end of the test.
struct TextFile {
    std::filesystem::path path;
    explicit TextFile(const std::string& text) {
        char name[] = "/tmp/forkline-run-jobs-XXXXXX";
        const int fd = ::mkstemp(name);
        REQUIRE(fd >= 0);
        ::close(fd);
        path = name;
        std::ofstream(path, std::ios::binary) << text;
    }
    ~TextFile() { std::filesystem::remove(path); }
    TextFile(const TextFile&) = delete;
    TextFile& operator=(const TextFile&) = delete;
};

std::vector<run::JobSpec> all_jobs(run::JobStream& stream) {
    std::vector<run::JobSpec> jobs;
    while (auto job = run::next_waiting(stream)) jobs.push_back(std::move(*job));
    CHECK(stream.total() == jobs.size());
    return jobs;
}

std::vector<std::string> records_of(const std::string& text, const std::string& separator) {
    const TextFile file(text);
    return run::RecordReader(file.path.string(), separator).read_all();
}

using Rows = std::vector<std::vector<std::string>>;

Rows combined(std::vector<run::InputSource> sources, const run::RecordSettings& settings = {}) {
    run::ArgumentRecords records(std::move(sources), settings);
    Rows rows;
    while (auto record = records.next()) rows.push_back(record->columns);
    CHECK(records.ended());
    return rows;
}

run::RecordSettings linked_all() {
    run::RecordSettings settings;
    settings.link = true;
    return settings;
}

run::RecordSettings columns_at(const std::string& separator, bool header = false) {
    run::RecordSettings settings;
    settings.column_separator = separator;
    settings.header = header;
    return settings;
}

run::InputSource values(std::vector<std::string> values, bool linked = false) {
    return {.values = std::move(values), .path = std::nullopt, .linked = linked};
}

}  // namespace

TEST_CASE("-n groups arguments; numbering follows") {
    run::TemplateJobs stream("echo {#}: {}",
                             run::ArgumentRecords({values({"a", "b", "c", "d", "e"})}, {}), 2);
    const auto jobs = all_jobs(stream);
    REQUIRE(jobs.size() == 3);
    CHECK(run::command_text(jobs[0], 1) == "echo 1: 'a' 'b'");
    CHECK(run::command_text(jobs[2], 1) == "echo 3: 'e'");
    CHECK(jobs[2].seq == 3);
}

TEST_CASE("lines: arguments with a template (empty ones too, as GNU), commands without") {
    const TextFile args("one\n\ntwo\r\n");
    run::TemplateJobs jobs(
        "echo {}", run::ArgumentRecords({{.values = {}, .path = args.path.string()}}, {}), 1);
    const auto arg_jobs = all_jobs(jobs);
    REQUIRE(arg_jobs.size() == 3);
    CHECK(run::command_text(arg_jobs[1], 1) == "echo ''");
    CHECK(run::command_text(arg_jobs[2], 1) == "echo 'two\r'");
    CHECK(arg_jobs[2].line == 3);
    const TextFile commands("echo a\n\n  # a comment\necho b | wc -c\r\n");
    run::LineJobs command_jobs(run::RecordReader(commands.path.string(), "\n"),
                               run::LineJobs::Format::commands);
    const auto lines = all_jobs(command_jobs);
    REQUIRE(lines.size() == 2);
    CHECK(lines[1].command == "echo b | wc -c");
    CHECK(lines[1].line == 4);
    CHECK(lines[1].seq == 2);
}

TEST_CASE("JSON lines: good ones become jobs, bad ones errors naming their line") {
    const TextFile in(R"({"cmd": "echo hi", "timeout": 5, "input": "x"}
not json
{"cmd": ""}
{"cmd": "true", "timeout": "soon"}
{"cmd": "true", "extra": 1}

{"cmd": "true"}
)");
    run::LineJobs stream(run::RecordReader(in.path.string(), "\n"),
                         run::LineJobs::Format::json_lines);
    const auto jobs = all_jobs(stream);
    REQUIRE(jobs.size() == 6);
    CHECK(jobs[0].command == "echo hi");
    CHECK(jobs[0].timeout == 5.0);
    CHECK(jobs[0].input == "x");
    CHECK(jobs[1].error == "line 2: not a JSON object");
    CHECK(jobs[2].error.starts_with("line 3: \"cmd\""));
    CHECK(jobs[3].error.starts_with("line 4: \"timeout\""));
    CHECK(jobs[4].error.starts_with("line 5: unknown key"));
    CHECK(jobs[5].error.empty());
    CHECK(jobs[5].seq == 6);
}

TEST_CASE("records: separators of any length, a last record without one, -d escapes") {
    CHECK(records_of("a\nb", "\n") == std::vector<std::string>{"a", "b"});
    CHECK(records_of("a\n\nb\n", "\n") == std::vector<std::string>{"a", "", "b"});
    CHECK(records_of(std::string("x\0y z\0", 6), std::string(1, '\0')) ==
          std::vector<std::string>{"x", "y z"});
    // A separator split across two reads (64 KiB each) is still found.
    const std::string long_record(65535, 'x');
    CHECK(records_of(long_record + "::b::", "::") == std::vector<std::string>{long_record, "b"});
    CHECK(records_of("", "\n").empty());
    CHECK(run::parse_delimiter("\\t") == "\t");
    CHECK(run::parse_delimiter("\\0") == std::string(1, '\0'));
    CHECK(run::parse_delimiter(",\\\\") == ",\\");
    CHECK_THROWS_AS(run::parse_delimiter(""), cli::UsageError);
    CHECK_THROWS_AS(run::parse_delimiter("\\q"), cli::UsageError);
}

TEST_CASE("a record over 1 MiB becomes an error job; the records after it are kept") {
    const TextFile file("a\n" + std::string(run::kMaxRecordBytes + 70000, 'x') + "\nb\n");
    run::LineJobs stream(run::RecordReader(file.path.string(), "\n"),
                         run::LineJobs::Format::commands);
    const auto jobs = all_jobs(stream);
    REQUIRE(jobs.size() == 3);
    CHECK(jobs[0].command == "a");
    CHECK(jobs[1].error == "line 2: longer than 1 MiB");
    CHECK(jobs[2].command == "b");
    CHECK(jobs[2].line == 3);
}

TEST_CASE("a pipe's records are handed out as they arrive, never waited for") {
    int ends[2];
    REQUIRE(::pipe2(ends, O_CLOEXEC) == 0);
    const forkline::UniqueFd read_end(ends[0]);
    forkline::UniqueFd write_end(ends[1]);
    const std::string path = "/proc/self/fd/" + std::to_string(read_end.get());
    run::RecordReader reader(path, "\n");
    CHECK_FALSE(reader.next());  // nothing written: no wait
    REQUIRE(::write(write_end.get(), "one\ntw", 6) == 6);
    pollfd ready{.fd = reader.fd(), .events = POLLIN, .revents = 0};
    REQUIRE(::poll(&ready, 1, 10000) == 1);
    const auto first = reader.next();
    REQUIRE(first);
    CHECK(first->text == "one");
    CHECK_FALSE(reader.next());  // "tw" is not a record yet
    CHECK_FALSE(reader.ended());
    REQUIRE(::write(write_end.get(), "o", 1) == 1);
    write_end.reset();
    const auto second = reader.next_waiting();
    REQUIRE(second);
    CHECK(second->text == "two");  // the end of the input ends it
    CHECK_FALSE(reader.next_waiting());
    CHECK(reader.ended());
}

TEST_CASE("sources combine as GNU parallel's: every combination, :::+ zips, --link wraps") {
    CHECK(combined({values({"a", "b"}), values({"1", "2", "3"})}) ==
          Rows{{"a", "1"}, {"a", "2"}, {"a", "3"}, {"b", "1"}, {"b", "2"}, {"b", "3"}});
    CHECK(combined({values({"a", "b", "c"}), values({"1", "2"}, true), values({"x", "y"})}) ==
          Rows{{"a", "1", "x"}, {"a", "1", "y"}, {"b", "2", "x"}, {"b", "2", "y"}});
    CHECK(combined({values({"a", "b"}), values({"1", "2", "3"}), values({"x"})}, linked_all()) ==
          Rows{{"a", "1", "x"}, {"b", "2", "x"}, {"a", "3", "x"}});
    CHECK(combined({values({"a", "b"}), values({})}).empty());
    const TextFile file("f1\nf2\n");
    CHECK(combined({values({"x"}), {.values = {}, .path = file.path.string()}}) ==
          Rows{{"x", "f1"}, {"x", "f2"}});
}

TEST_CASE("--colsep splits each value into columns; --header names them") {
    CHECK(combined({values({"a,b,,"})}, columns_at(",")) == Rows{{"a", "b", "", ""}});
    CHECK(combined({values({"a1b22c"})}, columns_at("[0-9]+")) == Rows{{"a", "b", "c"}});
    CHECK_THROWS_AS(combined({values({"a"})}, columns_at("(")), cli::UsageError);
    run::ArgumentRecords named({values({"n1\tn2", "v1\tv2"}), values({"third", "x"})},
                               columns_at("\\t", true));
    CHECK(named.column_names() == std::vector<std::string>{"n1", "n2", "third"});
    const auto record = named.next();
    REQUIRE(record);
    CHECK(record->columns == std::vector<std::string>{"v1", "v2", "x"});
}

TEST_CASE("--keep-order holds at most kMaxHeldJobs jobs or kMaxHeldBytes of output") {
    run::RunOptions options;
    options.keep_order = true;
    options.progress = false;
    const auto finished = [](std::uint64_t seq, std::size_t output_bytes = 0) {
        run::FinishedJob job;
        job.spec.seq = seq;
        job.stdout_data.assign(output_bytes, 'x');
        return job;
    };
    run::JobReport report(options);
    for (std::uint64_t seq = 2; seq <= run::JobReport::kMaxHeldJobs; ++seq) {
        report.finished(finished(seq));
        REQUIRE_FALSE(report.holding_full());
    }
    report.finished(finished(run::JobReport::kMaxHeldJobs + 1));
    CHECK(report.holding_full());  // job 1 is awaited: nothing new may start
    report.finished(finished(1));  // prints all (no output), holds nothing
    CHECK_FALSE(report.holding_full());
    CHECK(report.done() == run::JobReport::kMaxHeldJobs + 1);

    run::JobReport by_bytes(options);
    by_bytes.finished(finished(2, run::JobReport::kMaxHeldBytes));
    CHECK(by_bytes.holding_full());
    by_bytes.stop_writing();  // its output is dropped, not printed into the test's
    by_bytes.close();
}

TEST_CASE("joblog commands: control bytes and backslashes escaped, the rest kept") {
    CHECK(run::joblog_escaped("echo one\necho two") == "echo one\\necho two");
    CHECK(run::joblog_escaped("a\tb\r\\") == "a\\tb\\r\\\\");
    CHECK(run::joblog_escaped(std::string("nul\0esc\x1b", 8)) == "nul\\x00esc\\x1B");
    CHECK(run::joblog_escaped("caf\xc3\xa9 'x' $y") == "caf\xc3\xa9 'x' $y");
}

TEST_CASE("the sweep removes dead runs' directories, keeps live ones and others'") {
    char pattern[] = "/tmp/forkline-sweep-test-XXXXXX";
    const std::filesystem::path parent = ::mkdtemp(pattern);
    const auto make = [&](const std::string& name) {
        std::filesystem::create_directory(parent / name);
        std::ofstream(parent / name / "1.out") << "output";
        return parent / name;
    };
    // A pid that existed and is gone, and a zombie: exited, not reaped yet (WNOWAIT).
    const pid_t dead = ::fork();
    if (dead == 0) ::_exit(0);
    REQUIRE(::waitpid(dead, nullptr, 0) == dead);
    const pid_t zombie = ::fork();
    if (zombie == 0) ::_exit(0);
    siginfo_t exited{};
    REQUIRE(::waitid(P_PID, static_cast<id_t>(zombie), &exited, WEXITED | WNOWAIT) == 0);
    const auto self = run::run_directory_stem(::getpid());
    REQUIRE(self);
    const auto live = make(*self + "live");
    const auto gone = make("forkline-run-" + std::to_string(dead) + "-1-gone");
    const auto reused = make("forkline-run-" + std::to_string(::getpid()) + "-1-reused");
    const auto zombie_dir = make(run::run_directory_stem(zombie).value() + "zombie");
    const auto unrelated = make("forkline-run-test-x");
    const auto other_user = make("forkline-run-" + std::to_string(dead) + "-1-other");
    const bool as_root = ::geteuid() == 0;
    if (as_root) REQUIRE(::chown(other_user.c_str(), 65534, 65534) == 0);
    std::filesystem::create_directory_symlink(
        live, parent / ("forkline-run-" + std::to_string(dead) + "-1-link"));

    CHECK(run::sweep_dead_run_directories(parent) == (as_root ? 3 : 4));
    ::waitpid(zombie, nullptr, 0);
    CHECK(std::filesystem::exists(live / "1.out"));
    CHECK_FALSE(std::filesystem::exists(gone));
    CHECK_FALSE(std::filesystem::exists(reused));
    CHECK_FALSE(std::filesystem::exists(zombie_dir));
    CHECK(std::filesystem::exists(unrelated));
    CHECK(std::filesystem::exists(other_user) == as_root);
    CHECK(
        std::filesystem::is_symlink(parent / ("forkline-run-" + std::to_string(dead) + "-1-link")));
    std::filesystem::remove_all(parent);
}
