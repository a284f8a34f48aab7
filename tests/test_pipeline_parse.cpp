#include <doctest/doctest.h>

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <forkline/pipeline.hpp>
#include <optional>
#include <random>
#include <tuple>

#include "windows_command_line.hpp"

using forkline::parse_pipeline;
using forkline::ParseError;
using forkline::Redirect;
using Kind = forkline::Redirect::Kind;

namespace {

using Redirects = std::vector<std::tuple<Kind, std::string, int, int>>;

Redirects redirects_of(const forkline::Stage& stage) {
    Redirects result;
    for (const auto& r : stage.redirects) result.emplace_back(r.kind, r.path, r.fd, r.from);
    return result;
}

Redirects redirects_of(std::string_view command) {
    return redirects_of(parse_pipeline(command).at(0));
}

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
    CHECK(redirects_of(stages[0]) == Redirects{{Kind::input, "in.txt", 0, -1},
                                               {Kind::output, "out.txt", 1, -1},
                                               {Kind::duplicate, "", 2, 1}});
    CHECK(redirects_of(stages[1]) == Redirects{{Kind::append_output, "all", 1, -1},
                                               {Kind::output, "err", 2, -1},
                                               {Kind::append_output, "errs", 2, -1}});
    CHECK(parse_pipeline("cat >'my file'")[0].redirects[0].path == "my file");
    CHECK(parse_pipeline("<in cat")[0].argv == std::vector<std::string>{"cat"});
}

TEST_CASE("a word of one digit glued to < or > is the descriptor, as in sh") {
    using V = std::vector<std::vector<std::string>>;
    CHECK(argvs("echo a 1>f1") == V{{"echo", "a"}});
    CHECK(argvs("ls x 1>out") == V{{"ls", "x"}});
    CHECK(redirects_of("echo a 1>f1") == Redirects{{Kind::output, "f1", 1, -1}});
    CHECK(redirects_of("cat 0<in 3<three 9>nine 2>>e 4<>rw >|clobber") ==
          Redirects{{Kind::input, "in", 0, -1},
                    {Kind::input, "three", 3, -1},
                    {Kind::output, "nine", 9, -1},
                    {Kind::append_output, "e", 2, -1},
                    {Kind::read_write, "rw", 4, -1},
                    {Kind::output, "clobber", 1, -1}});
    CHECK(redirects_of("cat <>rw") == Redirects{{Kind::read_write, "rw", 0, -1}});
    CHECK(redirects_of("cat 2>&1 1>&2 >&2 <&3 3<&0 >& 2 0<&- 2>&- >&-") ==
          Redirects{{Kind::duplicate, "", 2, 1},
                    {Kind::duplicate, "", 1, 2},
                    {Kind::duplicate, "", 1, 2},
                    {Kind::duplicate, "", 0, 3},
                    {Kind::duplicate, "", 3, 0},
                    {Kind::duplicate, "", 1, 2},
                    {Kind::close, "", 0, -1},
                    {Kind::close, "", 2, -1},
                    {Kind::close, "", 1, -1}});
    // The digits must be the whole word and unquoted: otherwise an argument, as in sh.
    CHECK(argvs("echo a1>f '1'>f \\2>f 2 x") == V{{"echo", "a1", "1", "2", "2", "x"}});
    CHECK(redirects_of("echo a1>f") == Redirects{{Kind::output, "f", 1, -1}});
    CHECK(redirects_of("echo >f2>g") ==
          Redirects{{Kind::output, "f2", 1, -1}, {Kind::output, "g", 1, -1}});
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
    CHECK(error_column("echo 10>f") == 6);
    CHECK(error_column("echo a 2>&10") == 11);
    CHECK(error_column("echo a 2>&x") == 11);
    CHECK(error_column("echo a 2>&1-") == 11);
    CHECK(error_column("echo a 2>&") == 8);
    CHECK(error_column("echo a >& | b") == 8);
    CHECK(error_column("echo a > 2>f") == 10);
    CHECK(error_column("echo a >& 2>f") == 11);
    CHECK(error_column("echo a >>&2") == 10);
    CHECK(error_column("echo a <>|b") == 10);
}

TEST_CASE("messages say what is wrong") {
    CHECK_THROWS_WITH(parse_pipeline("echo 'abc"), doctest::Contains("unterminated ' quote"));
    CHECK_THROWS_WITH(parse_pipeline("ls *.txt"), doctest::Contains("needs --shell"));
    CHECK_THROWS_WITH(parse_pipeline("a | | b"), doctest::Contains("empty stage"));
    CHECK_THROWS_WITH(parse_pipeline("cat >"), doctest::Contains("'>' needs a file name"));
}

TEST_CASE("NAME=value before the command: that stage's environment, as in sh") {
    using V = std::vector<std::string>;
    const auto stages = parse_pipeline("A=1 B='x y' >f C= cmd arg D=4 | E=5 other");
    CHECK(stages[0].assignments == V{"A=1", "B=x y", "C="});
    CHECK(stages[0].argv == V{"cmd", "arg", "D=4"});
    CHECK(stages[0].redirects.size() == 1);
    CHECK(stages[1].assignments == V{"E=5"});
    CHECK(stages[1].argv == V{"other"});
    // sh neither globs nor brace-expands a value, and # inside a word is no comment.
    CHECK(parse_pipeline("A=*.c B={a,b} C=[x]? D=#x env")[0].assignments ==
          V{"A=*.c", "B={a,b}", "C=[x]?", "D=#x"});
    // A quoted or escaped name, or one that is not a name, makes an ordinary word.
    CHECK(parse_pipeline("'A'=1 x")[0].argv == V{"A=1", "x"});
    CHECK(parse_pipeline("A\\=1 x")[0].argv == V{"A=1", "x"});
    CHECK(parse_pipeline("1A=x =y")[0].argv == V{"1A=x", "=y"});
    CHECK(parse_pipeline("_a9=x y")[0].assignments == V{"_a9=x"});
    CHECK(error_column("A=1") == 1);
    CHECK(error_column("cmd | >f A=1 B=2") == 10);
    CHECK(error_column("A+=1 cmd") == 2);
    CHECK(error_column("A=$x cmd") == 3);
    CHECK_THROWS_WITH(parse_pipeline("A=1"), doctest::Contains("without a command"));
}

namespace {

// Sets HOME (or unsets it) for the scope.
class HomeSet {
  public:
    explicit HomeSet(const char* value) {
        if (const char* old = std::getenv("HOME")) saved_ = old;
        if (value != nullptr) {
            ::setenv("HOME", value, 1);
        } else {
            ::unsetenv("HOME");
        }
    }
    ~HomeSet() {
        if (saved_) {
            ::setenv("HOME", saved_->c_str(), 1);
        } else {
            ::unsetenv("HOME");
        }
    }
    HomeSet(const HomeSet&) = delete;
    HomeSet& operator=(const HomeSet&) = delete;

  private:
    std::optional<std::string> saved_;
};

}  // namespace

TEST_CASE("~ and ~user at the start of a word are home directories, as in sh") {
    using V = std::vector<std::vector<std::string>>;
    const passwd* root = ::getpwnam("root");
    REQUIRE(root != nullptr);
    const std::string root_home = root->pw_dir;
    {
        const HomeSet home("/home/some one");
        CHECK(argvs("ls ~ ~/x a~ '~' \"~\" \\~ ~'x' ~\"/\" x~/") ==
              V{{"ls", "/home/some one", "/home/some one/x", "a~", "~", "~", "~", "~x", "~/",
                 "x~/"}});
        CHECK(argvs("ls ~root ~root/x") == V{{"ls", root_home, root_home + "/x"}});
        CHECK(parse_pipeline("cat >~/f")[0].redirects[0].path == "/home/some one/f");
        CHECK(parse_pipeline("A=~/bin:~/x:a~ B=x~ cmd")[0].assignments ==
              std::vector<std::string>{"A=/home/some one/bin:/home/some one/x:a~", "B=x~"});
    }
    {
        const HomeSet home(nullptr);  // as sh: the user's password entry
        const passwd* me = ::getpwuid(::getuid());
        REQUIRE(me != nullptr);
        CHECK(argvs("ls ~/x") == V{{"ls", std::string(me->pw_dir) + "/x"}});
    }
    CHECK(error_column("ls ~no_such_user_forkline") == 4);
    CHECK_THROWS_WITH(parse_pipeline("ls ~no_such_user_forkline"),
                      doctest::Contains("no such user"));
    // bash expands these and sh does not: refused rather than guessed.
    CHECK(error_column("make PREFIX=~/x") == 13);
    CHECK(error_column("echo a=x:~/y") == 10);
    CHECK(argvs("echo a=x~ a=\\~ a='~' =~ 1a=~ a~=~") ==
          V{{"echo", "a=x~", "a=~", "a=~", "=~", "1a=~", "a~=~"}});
    CHECK(error_column("ls ~+") == 4);
    CHECK(error_column("ls ~-/x") == 4);
}

TEST_CASE("backslash-newline outside single quotes continues the line, as in sh") {
    using V = std::vector<std::vector<std::string>>;
    CHECK(argvs("echo a\\\nb") == V{{"echo", "ab"}});
    CHECK(argvs("echo a \\\n  b") == V{{"echo", "a", "b"}});
    CHECK(argvs("echo \"a\\\nb\"") == V{{"echo", "ab"}});
    CHECK(argvs("echo 'a\\\nb'") == V{{"echo", "a\\\nb"}});
    CHECK(argvs("echo a\\\\\n") == V{{"echo", "a\\"}});  // an escaped backslash, then the end
    CHECK(argvs("ech\\\no a |\\\n wc") == V{{"echo", "a"}, {"wc"}});
    CHECK(redirects_of("echo 2\\\n>f") == Redirects{{Kind::output, "f", 2, -1}});
    // Columns stay those of the text as written.
    CHECK(error_column("echo \\\n$x") == 8);
    CHECK(error_column("echo \\\n\\\n'a") == 10);
}

TEST_CASE("what sh would expand or read as syntax is refused at its column") {
    const std::vector<std::pair<std::string_view, std::size_t>> cases = {
        {"echo \"$x\"", 7},    {"echo \"a${x}\"", 8},
        {"echo \"$(id)\"", 7}, {"echo \"`id`\"", 7},
        {"echo $'a'", 6},      {"echo a$x", 7},
        {"echo #comment", 6},  {"echo a|#c", 8},
        {"echo > #f", 8},      {"echo {a,b}", 6},
        {"echo x{1..3}y", 7},  {"echo {a..e..2}", 6},
        {"echo {-1..1}", 6},   {"echo {a,'b c'}", 6},
        {"echo {x,{y}}", 6},   {"echo {x{a,b}}", 8},
        {"ls [ab]", 4},        {"ls a[!b]c", 5},
        {"ls '['[a]", 7},      {"if true", 1},
        {"! false", 1},        {"echo a | while read x", 10},
        {"A=1 for x", 5},      {"{ echo", 1},
        {"[[ -f x ]]", 1},
    };
    for (const auto& test_case : cases) {
        const auto& command = test_case.first;  // not a structured binding: INFO captures it
        const auto& expected = test_case.second;
        INFO(command);
        CHECK(error_column(command) == expected);
    }
    CHECK_THROWS_WITH(parse_pipeline("echo \"$x\""), doctest::Contains("'$' inside \"…\""));
    CHECK_THROWS_WITH(parse_pipeline("echo #x"), doctest::Contains("comment"));
    CHECK_THROWS_WITH(parse_pipeline("echo {a,b}"), doctest::Contains("brace expansion"));
    CHECK_THROWS_WITH(parse_pipeline("ls [ab]"), doctest::Contains("glob"));
    CHECK_THROWS_WITH(parse_pipeline("if x"), doctest::Contains("reserved word"));
    CHECK_THROWS_WITH(parse_pipeline("echo 10>f"), doctest::Contains("0-9"));
}

TEST_CASE("what sh keeps literally stays literal") {
    using V = std::vector<std::vector<std::string>>;
    CHECK(argvs("echo \"a$\" a$ $ \"$ x\" \"\\$y\" \\$z a$|cat") ==
          V{{"echo", "a$", "a$", "$", "$ x", "$y", "$z", "a$"}, {"cat"}});
    // forkline run's placeholders, find's {} and bash's non-expanding braces.
    CHECK(argvs("find . -exec echo {} {.} {/} {//} {#} \\; x{ }y { } {a} {a.b} {1..} {a..bb}") ==
          V{{"find", ".", "-exec", "echo", "{}", "{.}", "{/}", "{//}", "{#}", ";", "x{", "}y", "{",
             "}", "{a}", "{a.b}", "{1..}", "{a..bb}"}});
    CHECK(argvs("echo '{a,b}' \"[ab]\" \\{a,b\\} {a\\,b} {a\",\"b} a#b [ ] [x x] \\[a]") ==
          V{{"echo", "{a,b}", "[ab]", "{a,b}", "{a,b}", "{a,b}", "a#b", "[", "]", "[x", "x]",
             "[a]"}});
    CHECK(argvs("[ -f x ] | test ! -d y") == V{{"[", "-f", "x", "]"}, {"test", "!", "-d", "y"}});
    CHECK(argvs("echo if ! { } then 'if' | 'if' x | \\! y") ==
          V{{"echo", "if", "!", "{", "}", "then", "if"}, {"if", "x"}, {"!", "y"}});
}

TEST_CASE("random input: a ParseError or stages with commands, never anything else") {
    std::mt19937 random(1234);
    const std::string alphabet = "ab '\"\\|<>&;2$*\t\n\x01\xff~{},.[]#=";
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

TEST_CASE("each stage keeps its argument words as written, for Windows command lines") {
    const auto stages = parse_pipeline(
        "netstat -ano | find \"LISTENING\" > out.txt 2>&1 | X=1 prog \"e\\\"f\"  C:\\\\x\\\\");
    REQUIRE(stages.size() == 3);
    CHECK(stages[0].raw_arguments == "-ano");
    CHECK(stages[1].argv == std::vector<std::string>{"find", "LISTENING"});
    CHECK(stages[1].raw_arguments == "\"LISTENING\"");  // the quotes kept, the redirections not
    CHECK(stages[2].argv == std::vector<std::string>{"prog", "e\"f", "C:\\x\\"});
    CHECK(stages[2].raw_arguments == "\"e\\\"f\" C:\\x\\");  // already Windows' spelling
    CHECK(parse_pipeline("whoami").at(0).raw_arguments == "");
    CHECK_FALSE(forkline::Stage{{"a", "b"}}.raw_arguments.has_value());  // built by hand: none
}

TEST_CASE("words whose spelling is sh's alone reach a Windows program quoted its way") {
    // '…', backslash escapes, "\$", and a run of backslashes sh reads as one: a Windows
    // program would read them otherwise, so the word is quoted for it instead.
    const auto stage =
        parse_pipeline("prog 'a b' c\\ d 'it'\\''s' \"x\\$y\" '\\\\server\\share' \"\\\\\" ''")
            .at(0);
    CHECK(stage.argv == std::vector<std::string>{"prog", "a b", "c d", "it's", "x$y",
                                                 "\\\\server\\share", "\\", ""});
    CHECK(stage.raw_arguments == "\"a b\" \"c d\" it's x$y \\\\server\\share \"\\\\\" \"\"");
    CHECK(forkline::split_windows_arguments(*stage.raw_arguments) ==
          std::vector<std::string>(stage.argv.begin() + 1, stage.argv.end()));
}
