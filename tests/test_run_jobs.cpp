// Building `forkline run` jobs: sources, grouping, joblog, output directories.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <forkline/pipeline.hpp>
#include <fstream>
#include <sstream>

#include "command_job.hpp"
#include "halt_policy.hpp"
#include "job_shell.hpp"
#include "job_slots.hpp"
#include "job_source.hpp"
#include "joblog.hpp"
#include "median_runtime.hpp"
#include "option_numbers.hpp"
#include "output_directory.hpp"
#include "results_directory.hpp"
#include "usage_error.hpp"

TEST_CASE("-n groups arguments; numbering follows; commands are expanded when they start") {
    const run::CommandTemplate command("echo {#}: {}", {});
    const auto jobs =
        run::jobs_from_arguments(command, {"a", "b", "c", "d", "e"}, {.max_records = 2});
    REQUIRE(jobs.size() == 3);
    CHECK(jobs[0].arguments == run::Arguments{{"a"}, {"b"}});
    CHECK(run::command_text(jobs[0], 1) == "echo 1: a b");
    CHECK(run::command_text(jobs[2], 1) == "echo 3: e");
    CHECK(jobs[2].seq == 3);
    CHECK(run::error_prefix(jobs[2]) == "job 3: ");
}

TEST_CASE("lines: arguments with a template, commands without; blank lines skipped") {
    std::istringstream args("one\n\ntwo\r\n");
    const run::CommandTemplate command("echo {}", {});
    const auto jobs = run::jobs_from_lines(args, &command, {});
    REQUIRE(jobs.size() == 2);
    CHECK(run::command_text(jobs[1], 1) == "echo two");
    CHECK(run::error_prefix(jobs[1]) == "line 3: ");
    std::istringstream commands("echo a\n\necho b | wc -c\n");
    const auto lines = run::jobs_from_lines(commands, nullptr, {});
    REQUIRE(lines.size() == 2);
    CHECK(lines[1].command == "echo b | wc -c");
    CHECK(lines[1].line == 3);
    // Several lines in a job: its errors name the first of them.
    std::istringstream grouped("a\n\nb\nc\nd\n");
    const auto pairs = run::jobs_from_lines(grouped, &command, {.max_records = 2});
    REQUIRE(pairs.size() == 2);
    CHECK(pairs[0].line == 1);
    CHECK(pairs[1].line == 4);
}

TEST_CASE("JSON lines: good ones become jobs, bad ones errors naming their line") {
    std::istringstream in(R"({"cmd": "echo hi", "timeout": 5, "input": "x"}
not json
{"cmd": ""}
{"cmd": "true", "timeout": "soon"}
{"cmd": "true", "extra": 1}

{"cmd": "true"}
)");
    const auto jobs = run::jobs_from_json_lines(in);
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
        job.spec = &spec;
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
