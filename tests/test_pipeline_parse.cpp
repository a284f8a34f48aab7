#include <doctest/doctest.h>

#include <forkline/pipeline.hpp>
#include <random>

using forkline::parse_pipeline;
using forkline::ParseError;
using forkline::Redirect;
using Kind = forkline::Redirect::Kind;

namespace {

std::vector<std::vector<std::string>> argvs(std::string_view command) {
    std::vector<std::vector<std::string>> result;
    for (const auto& stage : parse_pipeline(command)) result.push_back(stage.argv);
    return result;
}

std::size_t error_column(std::string_view command) {
    try {
        parse_pipeline(command);
    } catch (const ParseError& e) {
        return e.column();
    }
    FAIL("no ParseError for: " << command);
    return 0;
}

}  // namespace

TEST_CASE("words, quotes and escapes") {
    using V = std::vector<std::vector<std::string>>;
    CHECK(argvs("netstat -tan | grep LISTEN") == V{{"netstat", "-tan"}, {"grep", "LISTEN"}});
    CHECK(argvs("  echo   a\tb  ") == V{{"echo", "a", "b"}});
    CHECK(argvs("echo 'a b' \"c d\" e\\ f") == V{{"echo", "a b", "c d", "e f"}});
    CHECK(argvs("echo 'it''s' x\"y\"z") == V{{"echo", "its", "xyz"}});
    CHECK(argvs(R"(echo "a \"q\" \\ \$ \x" '\n')") == V{{"echo", "a \"q\" \\ $ \\x", "\\n"}});
    CHECK(argvs("echo '' \"\"") == V{{"echo", "", ""}});
    CHECK(argvs("grep 'a|b' | wc -l") == V{{"grep", "a|b"}, {"wc", "-l"}});
    CHECK(argvs("awk '{print $1}' \"*.log\" \\*") == V{{"awk", "{print $1}", "*.log", "*"}});
    CHECK(argvs("a|b|c") == V{{"a"}, {"b"}, {"c"}});
    CHECK(argvs("echo 2 a2>f") == V{{"echo", "2", "a2"}});
}

TEST_CASE("redirections, in order") {
    const auto stages =
        parse_pipeline("sort < in.txt > out.txt 2>&1 | tee -a log >> all 2> err 2>> errs");
    REQUIRE(stages.size() == 2);
    CHECK(stages[0].argv == std::vector<std::string>{"sort"});
    REQUIRE(stages[0].redirects.size() == 3);
    CHECK(stages[0].redirects[0].kind == Kind::input);
    CHECK(stages[0].redirects[0].path == "in.txt");
    CHECK(stages[0].redirects[1].kind == Kind::output);
    CHECK(stages[0].redirects[2].kind == Kind::error_to_output);
    REQUIRE(stages[1].redirects.size() == 3);
    CHECK(stages[1].redirects[0].kind == Kind::append_output);
    CHECK(stages[1].redirects[1].kind == Kind::error);
    CHECK(stages[1].redirects[2].kind == Kind::append_error);
    CHECK(parse_pipeline("cat >'my file'")[0].redirects[0].path == "my file");
    CHECK(parse_pipeline("<in cat")[0].argv == std::vector<std::string>{"cat"});
}

TEST_CASE("every syntax error names its column") {
    CHECK(error_column("") == 1);
    CHECK(error_column("   ") == 1);
    CHECK(error_column("| a") == 1);
    CHECK(error_column("a | | b") == 4);
    CHECK(error_column("a |") == 4);
    CHECK(error_column("echo 'abc") == 6);
    CHECK(error_column("echo \"abc") == 6);
    CHECK(error_column("echo abc\\") == 9);
    CHECK(error_column("cat >") == 5);
    CHECK(error_column("cat > | b") == 5);
    CHECK(error_column("cat 2>") == 5);
    CHECK(error_column("cat < > x") == 5);
    CHECK(error_column("> f") == 1);
    CHECK(error_column("a || b") == 3);
    CHECK(error_column("a && b") == 3);
    CHECK(error_column("a ; b") == 3);
    CHECK(error_column("a & b") == 3);
    CHECK(error_column("echo $HOME") == 6);
    CHECK(error_column("ls *.txt") == 4);
    CHECK(error_column("echo `id`") == 6);
    CHECK(error_column("(a)") == 1);
    CHECK(error_column("cat << EOF") == 5);
    CHECK(error_column("a 2>&2") == 3);
    CHECK(error_column("a >&2") == 4);
}

TEST_CASE("messages say what is wrong") {
    CHECK_THROWS_WITH(parse_pipeline("echo 'abc"), doctest::Contains("unterminated ' quote"));
    CHECK_THROWS_WITH(parse_pipeline("ls *.txt"), doctest::Contains("needs --shell"));
    CHECK_THROWS_WITH(parse_pipeline("a | | b"), doctest::Contains("empty stage"));
    CHECK_THROWS_WITH(parse_pipeline("cat >"), doctest::Contains("'>' needs a file name"));
}

TEST_CASE("random input: a ParseError or stages with commands, never anything else") {
    std::mt19937 random(1234);
    const std::string alphabet = "ab '\"\\|<>&;2$*\t\n\x01\xff";
    for (int i = 0; i < 100000; ++i) {
        std::string text(random() % 24, ' ');
        for (auto& c : text) c = alphabet[random() % alphabet.size()];
        try {
            for (const auto& stage : parse_pipeline(text)) REQUIRE_FALSE(stage.argv.empty());
        } catch (const ParseError& e) {
            REQUIRE(e.column() >= 1);
            REQUIRE(e.column() <= text.size() + 1);
        }
    }
}
