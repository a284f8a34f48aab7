// forkline run's command templates (placeholders written for the quoting they land in) and
// argument grouping (-n, -N, -m, -X).
#include <doctest/doctest.h>

#include <forkline/pipeline.hpp>
#include <numeric>
#include <random>

#include "argument_batches.hpp"
#include "command_template.hpp"
#include "run_command.hpp"
#include "usage_error.hpp"

using run::Arguments;
using run::CommandTemplate;
using run::ReplaceMode;
using run::TemplateSettings;

namespace {

std::string expand(const std::string& text, const Arguments& args, TemplateSettings settings = {},
                   std::uint64_t seq = 1, unsigned slot = 1) {
    return CommandTemplate(text, std::move(settings)).expand(args, seq, slot);
}

// One argument, one column.
Arguments one(const std::string& value) {
    return {{value}};
}

// The words the pipeline parser reads in `command`'s only stage.
std::vector<std::string> parsed_words(const std::string& command) {
    const auto stages = forkline::parse_pipeline(command);
    REQUIRE(stages.size() == 1);
    return stages[0].argv;
}

// The words /bin/sh reads in `words`, printed by printf one per NUL.
std::vector<std::string> shell_words(const std::string& words) {
    const auto r = test_support::run_command({"/bin/sh", "-c", "printf '%s\\0' " + words});
    REQUIRE(r.code == 0);
    std::vector<std::string> split;
    for (std::size_t start = 0; start < r.out.size();) {
        const auto end = r.out.find('\0', start);
        split.push_back(r.out.substr(start, end - start));
        start = end + 1;
    }
    return split;
}

// File names that break naive quoting: every byte sh reads as syntax, in every place.
const std::vector<std::string> kNastyValues = {
    "plain.txt", "a b",       "it's",        "x\"y",        "$HOME",
    "`id`",      "$(id)",     "back\\slash", "\\",          "tail\\",
    "a\\\nb",    "new\nline", "\nlead",      "-n",          "",
    "'",         "\"",        "''",          "caf\xc3\xa9", "\xff\xfe bytes",
    "~",         "~root",     "#c",          "*",           "?",
    "[ab]",      "{}",        "{a,b}",       "a=b",         "if",
    "!",         "tab\there", "a;b",         "a|b",         "a&b",
    "<x>",       "(x)",       "{.}",         "%",           "a\rb",
    " lead",
};

}  // namespace

TEST_CASE("the issue's command lines: each argument stays exactly itself in its word") {
    CHECK(expand("sort {} > \"{.}.sorted\"", one("plain.txt")) ==
          "sort plain.txt > \"plain.sorted\"");
    CHECK(expand("cp \"{}\" \"{.}.bak\"", one("a \"b\" $c `d`.txt")) ==
          "cp \"a \\\"b\\\" \\$c \\`d\\`.txt\" \"a \\\"b\\\" \\$c \\`d\\`.bak\"");
    CHECK(expand("echo 'v={}'", one("it's")) == "echo 'v=it'\\''s'");
    CHECK(expand("gzip -9 {}", one("a.log")) == "gzip -9 a.log");  // plain stays plain
    CHECK(expand("gzip -9 {}", one("a b.log")) == "gzip -9 'a b.log'");
}

TEST_CASE("any value in any quoting reads back as itself, to the parser and to /bin/sh") {
    // A template word around {} and the word it must become.
    struct Form {
        std::string word;
        std::string before, after;
    };
    const std::vector<Form> forms = {
        {"{}", "", ""},       {"\"{}\"", "", ""},       {"'{}'", "", ""},
        {"x{}y", "x", "y"},   {"\"x {}\"y", "x ", "y"}, {"'x {}'\"y\"", "x ", "y"},
        {"\\{}", "", ""},     {"\"\\{}\"", "\\", ""},   {"'\\{}'", "\\", ""},
        {"a\\ {}", "a ", ""}, {"\"$\"{}", "$", ""},     {"{}{}", "", ""},
    };
    for (const auto& form : forms) {
        for (const auto& value : kNastyValues) {
            INFO("form ", form.word, ", value ", test_support::shell_quoted(value));
            const auto twice = form.word == "{}{}";
            const auto expected = form.before + value + (twice ? value : "") + form.after;
            const auto command = expand("echo " + form.word, one(value));
            CHECK(parsed_words(command) == std::vector<std::string>{"echo", expected});
            CHECK(shell_words(command.substr(5)) == std::vector<std::string>{expected});
        }
    }
}

TEST_CASE("random bytes in any quoting read back as themselves (fixed seed)") {
    std::mt19937 random(13);
    const std::string alphabet = "ab .-_/'\"\\$`~#*?[]{}=;&|<>()!\n\t\r\x01\x80\xff";
    std::uniform_int_distribution<std::size_t> length(0, 12), byte(0, alphabet.size() - 1);
    for (int i = 0; i < 2000; ++i) {
        std::string value;
        for (auto n = length(random); n > 0; --n) value += alphabet[byte(random)];
        INFO("value ", test_support::shell_quoted(value));
        const auto words =
            parsed_words(expand("echo {} x{}y \"{}\" '{}' \\{} \"\\{}\" a{}{}", {{value}, {"2"}}));
        CHECK(words == std::vector<std::string>{"echo", value, "2", "x" + value, "2y", value + " 2",
                                                value + " 2", value, "2", "\\" + value + " 2",
                                                "a" + value, "2" + value, "2"});
    }
}

TEST_CASE("under --shell: inside $(…) and `…` too, and a value never extends $ or $NAME") {
    const TemplateSettings shell{.shell = true};
    for (const auto& value : kNastyValues) {
        if (value.ends_with('\n')) continue;  // $(…) drops trailing newlines
        INFO("value ", test_support::shell_quoted(value));
        for (const auto& word : {"\"$(printf %s {})\"", "\"$(printf %s \"{}\")\"",
                                 "\"`printf %s {}`\"", "\"`printf %s '{}'`\"", "$(printf %s {})"}) {
            if (std::string(word) == "$(printf %s {})" && value != "plain.txt") continue;
            INFO("word ", word);
            CHECK(shell_words(expand(word, one(value), shell)) == std::vector<std::string>{value});
        }
        const auto after_name = expand("\"$x\"{} $x{} \"$x{}\" ${} \"${}\"", one(value), shell);
        const auto r =
            test_support::run_command({"/bin/sh", "-c", "x=1; printf '%s\\0' " + after_name});
        std::string expected;
        for (const auto& word : {"1", "1", "1", "$", "$"}) expected += word + value + '\0';
        CHECK(r.out == expected);
    }
}

TEST_CASE("several arguments: separate words outside quotes, spaces inside them") {
    const Arguments ab = {{"a b"}, {"c"}};
    CHECK(expand("echo {} \"{}\" '{}' x{}y", ab) == "echo 'a b' c \"a b c\" 'a b c' x'a b' cy");
    CHECK(parsed_words(expand("echo {} \"{}\" '{}'", ab)) ==
          std::vector<std::string>{"echo", "a b", "c", "a b c", "a b c"});
    CHECK(expand("echo {}", ab, {.mode = ReplaceMode::multiple}) == "echo 'a b' c");
    // -X: the word holding {} once per record.
    const TemplateSettings context{.mode = ReplaceMode::context};
    CHECK(expand("echo pre{}post {#}", {{"1"}, {"2"}}, context) == "echo pre1post pre2post 1");
    CHECK(expand("echo \"x {}\" {}.{.}", {{"a.x"}, {"b.y"}}, context) ==
          "echo \"x a.x\" \"x b.y\" a.x.a b.y.b");
    CHECK(expand("cat {}>out", {{"1"}, {"2"}}, context) == "cat 1 2>out");
    // No placeholder: every argument appended, each its own word (as GNU).
    CHECK(expand("echo", {{"a b", "c"}, {"d"}}) == "echo 'a b' c d");
    CHECK(expand("echo", {{"a"}}, context) == "echo a");
    // A record with several columns (several sources, --colsep): {} is all of them.
    CHECK(expand("echo {} {2} {1.}", {{"a.x", "b.y"}}) == "echo a.x b.y b.y a");
}

TEST_CASE("placeholders: parts of a path, numbers, slots, -I, column names") {
    const auto parts = "{} {.} {/} {//} {/.}";
    CHECK(expand(parts, one("/x/a.tar.gz")) == "/x/a.tar.gz /x/a.tar a.tar.gz /x a.tar");
    CHECK(expand(parts, one("b")) == "b b b . b");
    CHECK(expand(parts, one(".bashrc")) == ".bashrc .bashrc .bashrc . .bashrc");
    CHECK(expand(parts, one("dir.d/f")) == "dir.d/f dir.d/f f dir.d f");
    CHECK(expand(parts, one("/top")) == "/top /top top / top");
    CHECK(expand("{1} {2.} {2/} {2//} {2/.}", {{"a", "d/e.f"}}) == "a d/e e.f d e");
    CHECK(expand("{#}/{%}", one("a"), {}, 12, 3) == "12/3");
    CHECK(expand("echo XX {} {.}", one("a.b"), {.replacement = "XX"}) == "echo a.b {} a");
    CHECK(expand("echo {name} {age}", {{"ann", "3"}}, {.column_names = {"name", "age"}}) ==
          "echo ann 3");
    // Unknown {…} stay as written; {0} and {01} are no argument numbers.
    CHECK(expand("awk '{print $1}' {}", one("f")) == "awk '{print $1}' f");
    CHECK(expand("echo {foo} {0} {01} {= {", one("a")) == "echo {foo} {0} {01} {= { a");
    // GNU parallel's {= perl =} would run perl there: refused, not left as written.
    CHECK_THROWS_WITH_AS(expand("echo {=x=}", one("a")),
                         doctest::Contains("{= perl expressions =} are not supported"),
                         cli::UsageError);
    CHECK(expand("echo {{}}", one("a")) == "echo {a}");
}

TEST_CASE("has_placeholder and highest_column say what the template uses") {
    CHECK_FALSE(CommandTemplate("echo", {}).has_placeholder());
    CHECK_FALSE(CommandTemplate("echo {foo} {}", {.replacement = "@"}).has_placeholder());
    CHECK(CommandTemplate("echo {#}", {}).has_placeholder());
    CHECK(CommandTemplate("echo {%}", {}).has_placeholder());
    CHECK(CommandTemplate("echo {}", {}).highest_column() == 0);
    CHECK(CommandTemplate("echo {3} {1/} {x}", {.column_names = {"a", "x"}}).highest_column() == 3);
    CHECK(CommandTemplate("echo {x}", {.column_names = {"a", "b", "x"}}).highest_column() == 3);
}

TEST_CASE("{N} past the arguments: an error naming it, except in a short last -N job") {
    CHECK_THROWS_WITH_AS(expand("echo {3}", {{"a", "b"}}), "{3}: the input has only 2 columns",
                         run::ExpandError);
    CHECK_THROWS_WITH_AS(expand("echo {2.}", one("a")), "{2.}: the input has only 1 column",
                         run::ExpandError);
    CHECK_THROWS_WITH_AS(expand("echo {3}", {{"a"}, {"b"}}), "{3}: the job has only 2 arguments",
                         run::ExpandError);
    const TemplateSettings exact{.exact_records = 2};
    CHECK(expand("echo {1} {2} x", {{"a"}, {"b"}}, exact) == "echo a b x");
    CHECK(expand("echo {1} {2} x", {{"c"}}, exact) == "echo c  x");  // nothing, as GNU
    CHECK(expand("echo \"{2}\"", {{"c"}}, exact) == "echo \"\"");
    CHECK_THROWS_AS(expand("echo {3}", {{"c"}}, exact), run::ExpandError);
}

TEST_CASE("a template that cannot work is a usage error") {
    for (const std::string bad : {"echo '{}", "echo \"{}", "echo \"'\"'"}) {
        INFO(bad);
        CHECK_THROWS_AS(CommandTemplate(bad, {}), cli::UsageError);
    }
    CHECK_THROWS_WITH_AS(CommandTemplate("echo $(cat {}", {.shell = true}),
                         "the command template has an unterminated $(", cli::UsageError);
    CHECK_THROWS_AS(CommandTemplate("echo `cat {}", {.shell = true}), cli::UsageError);
    CHECK_NOTHROW(CommandTemplate("echo $(cat {}", {}));  // no shell: the parser says why
    // A comment is no syntax for sh: its quote needs no end, its {} is no placeholder.
    const CommandTemplate commented("echo {} # it's {}\necho '{}'", {.shell = true});
    CHECK(commented.expand(one("a b"), 1, 1) == "echo 'a b' # it's {}\necho 'a b'");
    CHECK_THROWS_AS(CommandTemplate("echo", {.replacement = ""}), cli::UsageError);
}

namespace {

// Every batch of `records` under `settings`, as add() and finish() return them.
std::vector<Arguments> batches_of(const CommandTemplate& command, run::BatchSettings settings,
                                  const std::vector<std::string>& records) {
    run::ArgumentBatcher batcher(command, settings);
    std::vector<Arguments> batches;
    for (const auto& record : records)
        if (auto batch = batcher.add({record})) batches.push_back(std::move(*batch));
    if (auto rest = batcher.finish()) batches.push_back(std::move(*rest));
    CHECK_FALSE(batcher.finish());
    return batches;
}

std::vector<std::string> numbered(std::size_t count, std::size_t width) {
    std::vector<std::string> records;
    for (std::size_t i = 0; i < count; ++i) {
        auto record = std::to_string(i);
        records.push_back(record + std::string(width - record.size(), 'x'));
    }
    return records;
}

}  // namespace

TEST_CASE("-n and -N: K records per job, a job out as soon as it is complete") {
    const CommandTemplate command("echo {}", {});
    run::ArgumentBatcher batcher(command, {.max_records = 2});
    CHECK_FALSE(batcher.add({"a"}));
    CHECK(batcher.add({"b"}) == Arguments{{"a"}, {"b"}});
    CHECK_FALSE(batcher.add({"c"}));
    CHECK(batcher.finish() == Arguments{{"c"}});
    CHECK_FALSE(batcher.finish());
    CHECK(batches_of(command, {}, {"x", "y"}) == std::vector<Arguments>{{{"x"}}, {{"y"}}});
}

TEST_CASE("-m and -X: as many records as fit the command line, in order, none dropped") {
    for (const auto mode : {ReplaceMode::multiple, ReplaceMode::context}) {
        for (const auto* text : {"echo {}", "echo pre{}post \"{}\" {#} {%}", "echo"}) {
            INFO(text, " mode ", int(mode));
            const CommandTemplate command(text, {.mode = mode});
            const auto records = numbered(40000, 12);
            const auto batches =
                batches_of(command, {.max_records = 0, .fill_command_line = true}, records);
            std::vector<std::string> seen;
            for (const auto& batch : batches) {
                const auto line = command.expand(batch, 1ULL << 63, 4096);
                CHECK(line.size() <= run::kMaxCommandLine);
                // Full: one more record would not have fit (with a margin for the estimate).
                if (&batch != &batches.back()) CHECK(line.size() > run::kMaxCommandLine * 9 / 10);
                for (const auto& record : batch) seen.push_back(record.at(0));
            }
            CHECK(seen == records);
        }
    }
    // -n K still caps -m; a record longer than any command line runs alone.
    const CommandTemplate command("echo {}", {.mode = ReplaceMode::multiple});
    CHECK(batches_of(command, {.max_records = 2, .fill_command_line = true}, {"a", "b", "c"})
              .size() == 2);
    const std::string huge(200 * 1024, 'h');
    const auto batches =
        batches_of(command, {.max_records = 0, .fill_command_line = true}, {"a", huge, "b"});
    CHECK(batches == std::vector<Arguments>{{{"a"}}, {{huge}}, {{"b"}}});
}

TEST_CASE("under cmd.exe (--shell on Windows) values are quoted for cmd and the program") {
    TemplateSettings cmd;
    cmd.shell = cmd.cmd = true;
    CHECK(expand("type {} & echo done", one("my file.txt"), cmd) ==
          "type ^\"my file.txt^\" & echo done");
    CHECK(expand("echo {}", one("a&b|c%PATH%"), cmd) == "echo a^&b^|c^%PATH^%");
    // Inside the template's "…": as CommandLineToArgvW reads inside quotes.
    CHECK(expand("dir \"{}\"", one("C:\\x y\\"), cmd) == "dir \"C:\\x y\\\\\"");
    // No placeholder: the arguments follow the template, quoted the same way.
    CHECK(expand("find", {{"say \"hi\"", "x"}}, cmd) == "find ^\"say \\^\"hi\\^\"^\" x");
}

TEST_CASE("under cmd.exe a '\"' in a value inside the template's \"…\" fails the job") {
    TemplateSettings cmd;
    cmd.shell = cmd.cmd = true;
    // cmd has no escape inside "…": the \" written for the program ends cmd's quoting there,
    // and the rest of the value would be cmd syntax (here a second command).
    CHECK_THROWS_AS(expand("echo \"{}\"", one("x\" & calc & \""), cmd), run::ExpandError);
    CHECK_THROWS_AS(expand("echo \"{}\"", one("a\"b"), cmd), run::ExpandError);
    // Outside quotes every '"' is escaped with ^: the same value is one word there.
    CHECK(expand("echo {}", one("x\" & calc & \""), cmd) == "echo ^\"x\\^\" ^& calc ^& \\^\"^\"");
}

TEST_CASE("under cmd.exe a value's last backslashes are doubled only before a '\"'") {
    TemplateSettings cmd;
    cmd.shell = cmd.cmd = true;
    // Backslashes not before a '"' are literal for CommandLineToArgvW: C:\ stays C:\.
    CHECK(expand("dir \"{}x\"", one("C:\\"), cmd) == "dir \"C:\\x\"");
    CHECK(expand("dir \"{}\\sub\"", one("C:\\"), cmd) == "dir \"C:\\\\sub\"");
    CHECK(expand("dir \"{}\"", one("C:\\"), cmd) == "dir \"C:\\\\\"");
    CHECK(expand("echo \"{}\\\"x\"", one("a\\"), cmd) == "echo \"a\\\\\\\"x\"");  // \" after it
    // Several values in one "…" (-m): only the last one meets the closing quote.
    TemplateSettings multiple = cmd;
    multiple.mode = ReplaceMode::multiple;
    CHECK(expand("dir \"{}\"", {{"a\\"}, {"b\\"}}, multiple) == "dir \"a\\ b\\\\\"");
}
