// forkline run on Windows (under wine in CI): placeholders and the words a Windows program
// gets, grouped output in input order, --timeout ending a job's whole tree, --shell through
// cmd, 127 and the failed count as the exit status, --json and --joblog, input from -a (CR
// LF lines) and from stdin, --results folder names, --halt cancelling a running job, and
// what the Windows build refuses.
// Not here, and why: Ctrl-C and --grace's CTRL_BREAK (wine has no shared console to send
// it through; runpipe's pipeline_windows tests what can be), live output (-u,
// --line-buffer: refused on Windows, tested below).
#include <doctest/doctest.h>
#include <windows.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process_control.hpp"
#include "run_command.hpp"
#include "utf8_path.hpp"
#include "windows/beside_this_test.hpp"
#include "windows/runtime_warm_up.hpp"

using test_support::beside_this_test;
using test_support::run_command;

namespace {

// A program as the first word of a template: in "…" (the checkout's path may hold a space),
// its backslashes as Windows writes them (C:\…\echo_args.exe).
std::string program_word(const std::string& path) {
    std::string word = "\"";  // appended: GCC 12 -O3 warns falsely on "x" + string
    (word += path) += '"';
    return word;
}

const std::string kEchoArgs = program_word(beside_this_test("echo_args.exe"));
const std::string kHelper = program_word(beside_this_test("test_helper.exe"));
const bool kRuntimeWarmedUp = test_support::warm_up_runtime(beside_this_test("test_helper.exe"));

test_support::CommandResult run(std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), {FORKLINE_PATH, "run"});
    return run_command(args, input, std::chrono::seconds(90));
}

// The words echo_args printed ("[word]" lines), in order.
std::vector<std::string> words_of(const std::string& out) {
    std::vector<std::string> words;
    for (const auto& line : test_support::lines_of(out)) {
        if (line.starts_with('[') && line.ends_with(']'))
            words.push_back(line.substr(1, line.size() - 2));
    }
    return words;
}

// A temporary file or folder of the test, removed however the test case ends.
struct TemporaryPath {
    explicit TemporaryPath(const std::string& name)
        : path(std::filesystem::temp_directory_path() /
               (name + " " + std::to_string(::GetCurrentProcessId()))) {}
    ~TemporaryPath() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    TemporaryPath(const TemporaryPath&) = delete;
    TemporaryPath& operator=(const TemporaryPath&) = delete;

    std::filesystem::path path;
};

std::vector<nlohmann::json> json_lines(const std::string& out) {
    std::vector<nlohmann::json> lines;
    for (const auto& line : test_support::lines_of(out))
        lines.push_back(nlohmann::json::parse(line));
    return lines;
}

}  // namespace

TEST_CASE("placeholders reach a Windows program as the words they stand for") {
    REQUIRE(kRuntimeWarmedUp);
    const auto r = run({"-k", "-j", "2", kEchoArgs, "{}", "{.}", "{/}", "{//}", "{/.}", "{#}",
                        "{%}", ":::", "C:\\dir one\\file.txt", "say \"hi\".tar", "C:\\top.txt"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    const std::vector<std::string> expected{"C:\\dir one\\file.txt",
                                            "C:\\dir one\\file",
                                            "file.txt",
                                            "C:\\dir one",
                                            "file",
                                            "1",
                                            "1",
                                            "say \"hi\".tar",
                                            "say \"hi\"",
                                            "say \"hi\".tar",
                                            ".",
                                            "say \"hi\"",
                                            "2"};
    const auto words = words_of(r.out);
    REQUIRE(words.size() == 21);  // 7 a job; the slots of jobs 2 and 3: 1 or 2
    CHECK(std::vector<std::string>(words.begin(), words.begin() + 13) == expected);
    // A file in a drive's root: its directory is the root, C:\ (C: alone is a drive's
    // current directory).
    CHECK(std::vector<std::string>(words.begin() + 14, words.begin() + 19) ==
          std::vector<std::string>{"C:\\top.txt", "C:\\top", "top.txt", "C:\\", "top"});
}

TEST_CASE("grouped output: each job's lines together, in input order with -k") {
    const auto r = run({"-k", "-j", "3", kHelper, "gen", "{}", ":::", "3000", "1", "2000"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    std::string expected;
    for (const int count : {3000, 1, 2000}) {
        for (int i = 0; i < count; ++i) expected += "line " + std::to_string(i) + "\n";
    }
    CHECK(r.out == expected);
}

TEST_CASE("--timeout ends a job's whole tree; the job fails, its output kept") {
    const auto r = run({"--timeout", "3", "--json", kHelper, "sleep-tree", "{}", ":::", "60"});
    CHECK(r.code == 1);  // one job failed
    const auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].at("timed_out") == true);
    const auto stdout_text = lines[0].at("stdout").get<std::string>();
    const auto grandchild = stdout_text.substr(0, stdout_text.find_first_of("\r\n"));
    REQUIRE(!grandchild.empty());
    CHECK(test_support::process_ends(std::stoull(grandchild)));
}

TEST_CASE("--shell runs each command through cmd, the values quoted for it") {
    auto r = run({"-k", "--shell", "echo {}& echo second", ":::", "one", "two"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(test_support::lines_of(r.out) ==
          std::vector<std::string>{"one\r", "second\r", "two\r", "second\r"});

    // cmd's syntax in a value is the value's: one word each, nothing run or expanded.
    // (Not %VAR% in a value: wine's cmd expands it even with its % escaped; what cmd.exe
    // does with it is unproven here.)
    const std::vector<std::string> values{"my file & more", "50% (off)", "a^b \"q\" <x>|y"};
    std::vector<std::string> args{"-k", "--shell", kEchoArgs + " {}& echo done", ":::"};
    args.insert(args.end(), values.begin(), values.end());
    r = run(args);
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(words_of(r.out) == values);
    CHECK(r.out.find("done") != std::string::npos);
}

TEST_CASE("a program not found is 127; the exit status counts the failed jobs") {
    auto r = run({"no-such-program-here", "{}", ":::", "a", "b"});
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("command not found") != std::string::npos);

    // echo is cmd.exe's, not a program: the message says where it is.
    r = run({"echo", "{}", ":::", "a"});
    CHECK(r.code == 1);
    CHECK(r.err.find("command not found (a cmd.exe builtin: use --shell)") != std::string::npos);

    r = run({"--json", "-k", kHelper, "exit", "{}", ":::", "0", "3", "0"});
    CHECK(r.code == 1);
    const auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].at("exit_code") == 3);
    CHECK(lines[0].at("exit_code") == 0);
}

TEST_CASE("--joblog records every job, and --resume skips the done ones") {
    const TemporaryPath temporary("forkline run joblog.tsv");
    const auto& log = temporary.path;
    auto r = run({"-j", "1", "--joblog", log.string(), kHelper, "exit", "{}", ":::", "0", "4"});
    CHECK(r.code == 1);
    std::ifstream in(log, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    const auto rows = test_support::lines_of(text);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].starts_with("Seq\tHost\tStarttime"));
    CHECK(rows[1].starts_with("1\t"));
    CHECK(rows[2].find("\t4\t0\t") != std::string::npos);  // Exitval 4, Signal 0

    // --resume-failed: only job 2 runs again (and fails again).
    r = run({"-j", "1", "--joblog", log.string(), "--resume-failed", "--json", kHelper, "exit",
             "{}", ":::", "0", "4"});
    CHECK(r.code == 1);
    const auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].at("seq") == 2);
}

TEST_CASE("arguments from -a FILE and from stdin") {
    const TemporaryPath temporary("forkline run args.txt");
    const auto& file = temporary.path;
    std::ofstream(file, std::ios::binary) << "from file\r\nsecond\n";  // CR LF: a Windows line
    auto r = run({"-k", "-a", file.string(), kEchoArgs, "{}"});
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(words_of(r.out) == std::vector<std::string>{"from file", "second"});

    r = run({"-k", kEchoArgs, "x{}y"}, "a b\nc\n");
    CHECK(r.code == 0);
    CHECK(words_of(r.out) == std::vector<std::string>{"xa by", "xcy"});
}

TEST_CASE("--results keeps each job's output in a folder named as Windows allows") {
    const TemporaryPath temporary("forkline run results");
    const auto& dir = temporary.path;
    const auto r = run({"--results", dir.string(), kEchoArgs, "{}", ":::", "con", "a:b"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto read = [](const std::filesystem::path& path) {
        std::ifstream in(path, std::ios::binary);
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    };
    CHECK(words_of(read(dir / "1" / "%63on" / "stdout")) == std::vector<std::string>{"con"});
    CHECK(words_of(read(dir / "1" / "a%3Ab" / "stdout")) == std::vector<std::string>{"a:b"});
    CHECK(read(dir / "1" / "a%3Ab" / "exitval") == "0");
}

TEST_CASE("UTF-8 arguments reach the program, and --results folders, as they are") {
    const TemporaryPath temporary("forkline run utf8 \xc3\xa9");  // é
    const auto& dir = temporary.path;
    const std::vector<std::string> values{"caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac"};  // café 日本
    std::vector<std::string> args{"-k",      "--results", forkline::utf8_string(dir),
                                  kEchoArgs, "{}",        ":::"};
    args.insert(args.end(), values.begin(), values.end());
    const auto r = run(args);
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(words_of(r.out) == values);
    for (const auto& value : values) {
        std::ifstream in(dir / "1" / forkline::utf8_path(value) / "stdout", std::ios::binary);
        CHECK(in.good());
    }
}

TEST_CASE("--halt now,fail=1 ends the jobs still running") {
    const auto r = run(
        {"-j", "2", "--halt", "now,fail=1", "--json", kHelper, "{}", "60", ":::", "exit", "sleep"});
    CHECK(r.code == 60);  // the failed job's exit status
    const auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 2);
    for (const auto& line : lines) {
        if (line.at("command").get<std::string>().find("sleep") != std::string::npos)
            CHECK(line.at("exit_code") != 0);
    }
}

TEST_CASE("what the Windows build has not: one line, exit status 255") {
    for (const auto& refused : std::vector<std::vector<std::string>>{
             {"--redis", "redis://127.0.0.1:1", "echo", ":::", "a"},
             {"-u", kEchoArgs, ":::", "a"},
             {"--line-buffer", kEchoArgs, ":::", "a"}}) {
        CAPTURE(refused.front());
        const auto r = run(refused);
        CHECK(r.code == 255);
        CHECK(r.out.empty());
        CHECK(r.err.find("not available on Windows") != std::string::npos);
        CHECK(test_support::lines_of(r.err).size() == 1);
    }
}
