// The command-line layer every tool shares: option forms, numbers, message text.
#include <doctest/doctest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "option_numbers.hpp"
#include "options.hpp"
#include "output.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace {

struct Parsed {
    std::vector<std::string> operands;
    std::vector<std::string> applied;  // "name=value" in the order applied
};

// Parses `args` (argv[1…]) against: --json/-J (flag), --jobs/-j (value), --keep/-k (flag).
Parsed parse(std::vector<std::string> args, cli::Operands operands = cli::Operands::anywhere) {
    Parsed parsed;
    args.insert(args.begin(), "tool");
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    auto record = [&](const char* name) {
        return [&parsed, name](const std::string& value) {
            parsed.applied.push_back(std::string(name) + "=" + value);
        };
    };
    parsed.operands = cli::parse_options(int(args.size()), argv.data(), 1, {"tool", "usage\n"},
                                         {{"json", 'J', false, record("json")},
                                          {"jobs", 'j', true, record("jobs")},
                                          {"keep", 'k', false, record("keep")}},
                                         operands);
    return parsed;
}

std::string usage_error(const std::vector<std::string>& args) {
    try {
        parse(args);
    } catch (const cli::UsageError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("options: every getopt_long form, in order, operands kept") {
    const auto p = parse({"-j4", "a", "--jobs=5", "--jobs", "6", "-j", "7", "-kJ", "--js", "b"});
    CHECK(p.applied == std::vector<std::string>{"jobs=4", "jobs=5", "jobs=6", "jobs=7",
                                                "keep=", "json=", "json="});
    CHECK(p.operands == std::vector<std::string>{"a", "b"});
    CHECK(parse({"--", "-j", "x"}).operands == std::vector<std::string>{"-j", "x"});
    CHECK(parse({"-"}).operands == std::vector<std::string>{"-"});
}

TEST_CASE("options: Operands::last stops at the first operand (the command's own options)") {
    const auto p = parse({"-k", "cmd", "-j", "4"}, cli::Operands::last);
    CHECK(p.applied == std::vector<std::string>{"keep="});
    CHECK(p.operands == std::vector<std::string>{"cmd", "-j", "4"});
}

TEST_CASE("options: a mistake is a UsageError naming the option as given") {
    CHECK(usage_error({"--bogus"}) == "unknown option '--bogus'");
    CHECK(usage_error({"--bogus=1"}) == "unknown option '--bogus'");
    CHECK(usage_error({"-x"}) == "unknown option '-x'");
    CHECK(usage_error({"-kx"}) == "unknown option '-x'");
    CHECK(usage_error({"--jobs"}) == "option --jobs needs a value");
    CHECK(usage_error({"-j"}) == "option -j needs a value");
    CHECK(usage_error({"--json=yes"}) == "option --json takes no value");
    CHECK(usage_error({"--j"}) == "unknown option '--j'");  // ambiguous: --json or --jobs
}

TEST_CASE("options: --help and --version end the command (Finished) once they have printed") {
    CHECK_THROWS_AS(parse({"--help"}), cli::Finished);
    CHECK_THROWS_AS(parse({"-h", "--bogus"}), cli::Finished);
    CHECK_THROWS_AS(parse({"--version"}), cli::Finished);
}

TEST_CASE("numbers: the whole text, within the limits, one message form") {
    CHECK(cli::parse_count("-j", "4096", 1, cli::kMaxWorkers) == 4096);
    for (const char* bad : {"0", "4097", " 2", "2 ", "+2", "-1", "2.0", "", "0x10", "1e3"}) {
        INFO(bad);
        CHECK_THROWS_WITH_AS(
            cli::parse_count("-j", bad, 1, cli::kMaxWorkers),
            ("-j needs a whole number from 1 to 4096, not '" + std::string(bad) + "'").c_str(),
            cli::UsageError);
    }
    CHECK(cli::parse_seconds("--timeout", "0.25").count() == 250'000'000);
    CHECK(cli::parse_seconds("--timeout", "0").count() == 0);
    for (const char* bad : {"-1", "nan", "inf", "1000001", "1s", " 1"}) {
        INFO(bad);
        CHECK_THROWS_AS(cli::parse_seconds("--timeout", bad), cli::UsageError);
    }
}

TEST_CASE("messages: user input is quoted, control bytes shown as \\xNN, NUL included") {
    CHECK(cli::quoted("a b") == "'a b'");
    CHECK(cli::quoted(std::string("a\0b\n\x1b[2J", 8)) == "'a\\x00b\\x0A\\x1B[2J'");
    CHECK(cli::quoted("café") == "'café'");
    CHECK(std::string(cli::OutputError("standard output", ENOSPC).what()) ==
          "cannot write standard output: No space left on device");
    CHECK(cli::OutputError("standard output", ENOSPC).error() == ENOSPC);
    CHECK(std::string(cli::OutputError("x", 0).what()) == "cannot write x");
}

TEST_CASE("options: an optional value is attached or absent; a letter without a long name") {
    std::vector<std::string> applied;
    std::vector<std::string> args = {"tool", "--shell", "bash", "--shell=zsh", "-Sx", "-S", "-P3"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    auto record = [&](const char* name) {
        return [&applied, name](const std::string& value) {
            applied.push_back(std::string(name) + "=" + value);
        };
    };
    const auto operands = cli::parse_options(
        int(args.size()), argv.data(), 1, {"tool", "usage\n"},
        {{"shell", 'S', true, record("shell"), true}, {nullptr, 'P', true, record("P")}});
    // A following word is never an optional value: "bash" is an operand.
    CHECK(applied == std::vector<std::string>{"shell=", "shell=zsh", "shell=x", "shell=", "P=3"});
    CHECK(operands == std::vector<std::string>{"bash"});
}

TEST_CASE("options: an optional value only glued (--replace[=R], -i[R]); one-letter-only") {
    std::vector<std::string> applied;
    const auto apply = [&](const char* name) {
        return [&applied, name](const std::string& v) { applied.push_back(name + ("=" + v)); };
    };
    std::vector<std::string> args = {"tool", "-i", "--replace", "-i@", "--replace=%",
                                     "-I",   "x",  "-Iy",       "op"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const auto operands = cli::parse_options(
        int(args.size()), argv.data(), 1, {"tool", "usage\n"},
        {{"replace", 'i', true, apply("replace"), true}, {nullptr, 'I', true, apply("I")}});
    CHECK(applied ==
          std::vector<std::string>{"replace=", "replace=", "replace=@", "replace=%", "I=x", "I=y"});
    CHECK(operands == std::vector<std::string>{"op"});
}
