// Building `forkline run` jobs: input sources, records, grouping, joblog, output directories.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <forkline/pipeline.hpp>
#include <fstream>

#include "argument_records.hpp"
#include "command_job.hpp"
#include "halt_policy.hpp"
#include "job_report.hpp"
#include "job_shell.hpp"
#include "job_slots.hpp"
#include "job_source.hpp"
#include "joblog.hpp"
#include "line_jobs.hpp"
#include "median_runtime.hpp"
#include "option_numbers.hpp"
#include "output_directory.hpp"
#include "record_reader.hpp"
#include "results_directory.hpp"
#include "template_jobs.hpp"
#include "unique_fd.hpp"
#include "usage_error.hpp"

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

TEST_CASE("-n groups arguments; numbering follows; commands are expanded when they start") {
    const run::CommandTemplate command("echo {#}: {}", {});
    run::TemplateJobs stream(command, run::ArgumentRecords({values({"a", "b", "c", "d", "e"})}, {}),
                             {.max_records = 2});
    const auto jobs = all_jobs(stream);
    REQUIRE(jobs.size() == 3);
    CHECK(jobs[0].arguments == run::Arguments{{"a"}, {"b"}});
    CHECK(run::command_text(jobs[0], 1) == "echo 1: a b");
    CHECK(run::command_text(jobs[2], 1) == "echo 3: e");
    CHECK(jobs[2].seq == 3);
    CHECK(run::error_prefix(jobs[2]) == "job 3: ");
}

TEST_CASE(
    "lines: arguments with a template (empty ones too, as GNU, unless -r), commands without") {
    const TextFile args("one\n\ntwo\r\n");
    const run::CommandTemplate command("echo {}", {});
    run::TemplateJobs jobs(
        command, run::ArgumentRecords({{.values = {}, .path = args.path.string()}}, {}), {});
    const auto arg_jobs = all_jobs(jobs);
    REQUIRE(arg_jobs.size() == 3);
    CHECK(run::command_text(arg_jobs[1], 1) == "echo ''");
    CHECK(run::command_text(arg_jobs[2], 1) == "echo 'two\r'");
    CHECK(run::error_prefix(arg_jobs[2]) == "line 3: ");
    run::RecordSettings no_blank;
    no_blank.skip_blank = true;
    run::TemplateJobs without_empty(
        command, run::ArgumentRecords({{.values = {}, .path = args.path.string()}}, no_blank), {});
    CHECK(all_jobs(without_empty).size() == 2);
    const TextFile commands("echo a\n\n  # a comment\necho b | wc -c\r\n");
    run::LineJobs command_jobs(run::RecordReader(commands.path.string(), "\n"),
                               run::LineJobs::Format::commands);
    const auto lines = all_jobs(command_jobs);
    REQUIRE(lines.size() == 2);
    CHECK(lines[1].command == "echo b | wc -c");
    CHECK(lines[1].line == 4);
    CHECK(lines[1].seq == 2);
    // Several lines in a job: its errors name the first of them.
    const TextFile grouped("a\n\nb\nc\nd\n");
    run::TemplateJobs pairs_stream(
        command, run::ArgumentRecords({{.values = {}, .path = grouped.path.string()}}, no_blank),
        {.max_records = 2});
    const auto pairs = all_jobs(pairs_stream);
    REQUIRE(pairs.size() == 2);
    CHECK(pairs[0].line == 1);
    CHECK(pairs[1].line == 4);
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
    CHECK(run::joblog_command("echo one\necho two", "") == "echo one\\necho two");
    CHECK(run::joblog_command("a\tb\r\\", "") == "a\\tb\\r\\\\");
    CHECK(run::joblog_command(std::string("nul\0esc\x1b", 8), "") == "nul\\x00esc\\x1B");
    CHECK(run::joblog_command("caf\xc3\xa9 'x' $y", "") == "caf\xc3\xa9 'x' $y");
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

TEST_CASE("-j spellings: N, N%, +N, -N, 0 and their limits") {
    CHECK(run::parse_job_slots("-j", "7", 2) == 7);
    CHECK(run::parse_job_slots("-j", "200%", 3) == 6);
    CHECK(run::parse_job_slots("-j", "50%", 3) == 2);  // rounded up, as GNU
    CHECK(run::parse_job_slots("-j", "1%", 2) == 1);
    CHECK(run::parse_job_slots("-j", "+2", 2) == 4);
    CHECK(run::parse_job_slots("-j", "-1", 4) == 3);
    CHECK(run::parse_job_slots("-j", "-9", 4) == 1);  // at least one
    const unsigned most = run::parse_job_slots("-j", "0", 2);
    CHECK(most == run::max_job_slots());
    CHECK(most >= 1);
    CHECK(most <= cli::kMaxWorkers);
    for (const char* bad : {"", "x", "4x", "+", "-", "+-1", "1.5", "4097", "+4096", "%"})
        CHECK_THROWS_AS(run::parse_job_slots("-j", bad, 2), cli::UsageError);
}

TEST_CASE("--halt forms parse as GNU parallel reads them") {
    using When = run::HaltCondition::When;
    using Why = run::HaltCondition::Why;
    const auto now_fail = run::parse_halt("now,fail=3");
    CHECK(now_fail.when == When::now);
    CHECK(now_fail.why == Why::fail);
    CHECK(now_fail.count == 3);
    const auto percent = run::parse_halt("soon,done=25%");
    CHECK(percent.why == Why::done);
    CHECK(percent.percent == 25);
    CHECK(run::parse_halt("never").when == When::never);
    CHECK(run::parse_halt("0").when == When::never);
    CHECK(run::parse_halt("2").when == When::now);
    CHECK(run::parse_halt("-1").why == Why::success);
    CHECK(run::parse_halt("10%").percent == 10);
    CHECK(run::parse_halt("10%").when == When::soon);
    for (const char* bad : {"", "now", "soon,fail", "later,fail=1", "now,fail=0", "now,fail=0%",
                            "now,fail=150%", "now,why=1", "now,fail=-1"})
        CHECK_THROWS_AS(run::parse_halt(bad), cli::UsageError);
}

TEST_CASE("HaltPolicy: when it stops and the exit status after, as GNU parallel") {
    using Action = run::HaltPolicy::Action;
    run::HaltPolicy fail_two(run::parse_halt("soon,fail=2"));
    CHECK(fail_two.finished(1, 10) == Action::go_on);
    CHECK(fail_two.finished(0, 10) == Action::go_on);
    CHECK(fail_two.finished(7, 10) == Action::stop_starting);
    CHECK(fail_two.exit_status(3, 4) == 2);  // counted when it halted
    run::HaltPolicy fail_one(run::parse_halt("now,fail=1"));
    CHECK(fail_one.finished(0, 10) == Action::go_on);
    CHECK(fail_one.finished(137, 10) == Action::cancel_running);
    CHECK(fail_one.exit_status(2, 2) == 137);  // the job's own status
    run::HaltPolicy success(run::parse_halt("now,success=1"));
    CHECK(success.finished(1, 10) == Action::go_on);
    CHECK(success.finished(0, 10) == Action::cancel_running);
    CHECK(success.exit_status(1, 2) == 0);
    run::HaltPolicy percent(run::parse_halt("now,fail=50%"));
    CHECK(percent.finished(1, std::nullopt) == Action::go_on);  // the total is not known yet
    CHECK(percent.finished(1, 4) == Action::cancel_running);    // 2 of 4
    CHECK(percent.exit_status(2, 2) == 50);
    run::HaltPolicy unmet(run::parse_halt("soon,fail=50%"));
    CHECK(unmet.finished(1, 3) == Action::go_on);
    CHECK(unmet.exit_status(1, 3) == 34);  // never met: the % failed, rounded up
    run::HaltPolicy never(run::HaltCondition{});
    CHECK(never.finished(1, 1) == Action::go_on);
    CHECK(never.exit_status(150, 200) == 101);
}

TEST_CASE("MedianRuntime: the median within 1%, none before the first runtime") {
    run::MedianRuntime runtimes;
    CHECK(!runtimes.median());
    CHECK(run::percent_timeout(runtimes, 200) == 0);  // no limit yet
    for (double seconds : {0.5, 2.0, 1.0, 30.0, 1.0}) runtimes.add(seconds);
    REQUIRE(runtimes.median());
    CHECK(*runtimes.median() == doctest::Approx(1.0).epsilon(0.01));
    CHECK(run::percent_timeout(runtimes, 300) == doctest::Approx(3.0).epsilon(0.01));
    run::MedianRuntime instant;
    instant.add(0);
    CHECK(run::percent_timeout(instant, 100) > 0);  // never 0, which would mean no limit
}

TEST_CASE("a command job travels with its shell") {
    const run::CommandJob job{.seq = 4,
                              .shell = true,
                              .timeout_s = 1.5,
                              .grace_s = 2,
                              .command = "greet x",
                              .input = "in",
                              .shell_program = "/bin/bash"};
    const auto back = run::decode(run::encode(job));
    CHECK(back.seq == 4);
    CHECK(back.shell);
    CHECK(back.command == "greet x");
    CHECK(back.input == "in");
    CHECK(back.shell_program == "/bin/bash");
    auto bytes = run::encode(job);
    bytes.pop_back();
    CHECK_THROWS(run::decode(bytes));
}

TEST_CASE("a Redis run's command job carries its key base; its result names the host") {
    run::CommandJob job;
    job.seq = 9;
    job.command = "echo";
    job.output_key = "forkline:q:run:";
    job.max_output = 1000;
    const auto back = run::decode(run::encode(job));
    CHECK(back.output_key == "forkline:q:run:");
    CHECK(back.max_output == 1000);

    std::vector<std::byte> result(run::kMaxResultBytes);
    run::CommandOutcome outcome{};
    outcome.exit_code = 3;
    outcome.output_inline = 1;
    outcome.stdout_bytes = 3;
    outcome.stderr_bytes = 2;
    const auto size = run::write_result(outcome, "host-a", "", "out", "er", result);
    result.resize(size);
    const auto view = run::read_result(result);
    CHECK(view.outcome.exit_code == 3);
    CHECK(view.host == "host-a");
    CHECK(view.stdout_data == "out");
    CHECK(view.stderr_data == "er");

    outcome.output_inline = 0;
    outcome.output_chunked = 1;
    outcome.stdout_bytes = 1 << 30;
    result.resize(run::kMaxResultBytes);
    result.resize(run::write_result(outcome, "host-b", "0123abcd", "", "", result));
    const auto chunked = run::read_result(result);
    CHECK(chunked.output_id == "0123abcd");
    CHECK(chunked.outcome.stdout_bytes == 1u << 30);
    result.pop_back();
    CHECK_THROWS(run::read_result(result));  // its sizes no longer add up
}

TEST_CASE("names_a_shell: known shells in PATH and absolute paths to executables only") {
    CHECK(run::names_a_shell("sh"));
    CHECK(run::names_a_shell("/bin/sh"));
    CHECK(!run::names_a_shell("echo"));
    CHECK(!run::names_a_shell("bin/sh"));
    CHECK(!run::names_a_shell("/nonexistent/bash"));
    CHECK(!run::names_a_shell("/etc/passwd"));
    CHECK(run::find_shell("--shell", "sh").starts_with("/"));
    CHECK_THROWS_AS(run::find_shell("--shell", "no-such-shell"), cli::UsageError);
}

TEST_CASE("--results folders: GNU's escapes, and none that climbs out or collides") {
    CHECK(run::result_folder_name("a b") == "a b");
    CHECK(run::result_folder_name("x/y\\z\tw") == "x\\_y\\\\z\\tw");
    CHECK(run::result_folder_name(std::string("n\0l", 3)) == "n\\0l");
    CHECK(run::result_folder_name("") == "\\");
    CHECK(run::result_folder_name(".") == "\\.");
    CHECK(run::result_folder_name("..") == "\\..");
    CHECK(run::result_folder_name(std::string(300, 'x')).size() == 255);
}

TEST_CASE("--results folders on Windows: a name Windows can hold, none that collides") {
    using run::windows_result_folder_name;
    CHECK(windows_result_folder_name("a b.txt") == "a b.txt");
    CHECK(windows_result_folder_name("C:\\x/y") == "C%3A%5Cx%2Fy");
    CHECK(windows_result_folder_name("50% <\"a\"|b?*>") == "50%25 %3C%22a%22%7Cb%3F%2A%3E");
    CHECK(windows_result_folder_name(std::string("t\tn\0", 4)) == "t%09n%00");
    CHECK(windows_result_folder_name("") == "%");
    CHECK(windows_result_folder_name(".") == "%2E");
    CHECK(windows_result_folder_name("..") == ".%2E");
    CHECK(windows_result_folder_name("end ") == "end%20");
    CHECK(windows_result_folder_name("con") == "%63on");
    CHECK(windows_result_folder_name("Lpt1.txt") == "%4Cpt1.txt");
    CHECK(windows_result_folder_name("console") == "console");
    CHECK(windows_result_folder_name(std::string(300, 'x')).size() == 255);
    // Cut short: never inside an escape, never ending in a dot or a space.
    CHECK(windows_result_folder_name(std::string(254, 'x') + "%") == std::string(254, 'x'));
    CHECK(windows_result_folder_name(std::string(300, ' ')) == std::string(252, ' ') + "%20");
}

TEST_CASE("--results: a finished job reads back; one that did not finish does not") {
    char pattern[] = "/tmp/forkline-results-test-XXXXXX";
    const std::filesystem::path root = ::mkdtemp(pattern);
    {
        run::ResultsDirectory results(root / "r");
        run::JobSpec spec;
        spec.seq = 7;
        spec.command = "cmd";
        spec.arguments = {{"a", "b"}, {"c"}};
        CHECK(results.job_folder(spec) == root / "r/1/a/2/b/1/c");
        const auto paths = results.prepare(spec);
        CHECK_FALSE(results.read_finished(spec));
        std::ofstream(paths.out) << "the output";
        std::ofstream(paths.err) << "the errors";
        CHECK_FALSE(results.read_finished(spec));  // written, but not finished yet
        run::FinishedJob job;
        job.spec = spec;
        job.exit_code = 128 + 9;
        job.signal = 9;
        results.finish(job);
        const auto stored = results.read_finished(spec);
        REQUIRE(stored);
        CHECK(stored->seq == 7);
        CHECK(stored->exit_code == 137);
        CHECK(stored->signal == 9);
        CHECK(run::read_whole_file(stored->stdout_path) == "the output");
        CHECK(run::read_whole_file(stored->stderr_path) == "the errors");
        results.prepare(spec);  // it runs again: not finished until it says so
        CHECK_FALSE(results.read_finished(spec));
        run::JobSpec command_job;
        command_job.command = "echo a/b";
        CHECK(results.job_folder(command_job) == root / "r/1/echo a\\_b");
    }
    // A resumed run appends to the index; a new one starts it again.
    run::ResultsDirectory resumed(root / "r", true);
    CHECK(std::filesystem::file_size(root / "r/index.jsonl") > 0);
    run::ResultsDirectory fresh(root / "r");
    CHECK(std::filesystem::file_size(root / "r/index.jsonl") == 0);
    std::filesystem::remove_all(root);
}
