// The Windows command-line quoting as plain strings (runs on every platform); the round
// trip through CommandLineToArgvW itself is tests/test_spawn_windows.cpp, under wine.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "windows_command_line.hpp"

using forkline::quote_windows_argument;

TEST_CASE("words without blanks or quotes are passed as they are") {
    CHECK(quote_windows_argument("plain") == "plain");
    CHECK(quote_windows_argument("C:\\dir\\file.txt") == "C:\\dir\\file.txt");
    CHECK(quote_windows_argument("trailing\\") == "trailing\\");  // no quote follows: literal
}

TEST_CASE("blanks, quotes and empty words are quoted; backslashes doubled only before a quote") {
    CHECK(quote_windows_argument("") == "\"\"");
    CHECK(quote_windows_argument("a b") == "\"a b\"");
    CHECK(quote_windows_argument("say \"hi\"") == "\"say \\\"hi\\\"\"");
    CHECK(quote_windows_argument("a\\\"b") == "\"a\\\\\\\"b\"");        // a\"b -> "a\\\"b"
    CHECK(quote_windows_argument("dir with\\") == "\"dir with\\\\\"");  // before the closing quote
    CHECK(quote_windows_argument("a\\b c") == "\"a\\b c\"");
}

TEST_CASE("the program word is quoted without escapes") {
    CHECK(forkline::windows_command_line("C:\\Program Files\\x.exe", {"a b", "c"}) ==
          "\"C:\\Program Files\\x.exe\" \"a b\" c");
    CHECK(forkline::windows_command_line("find", {}) == "find");
}

TEST_CASE("arguments split as CommandLineToArgvW splits them") {
    using Words = std::vector<std::string>;
    CHECK(forkline::split_windows_arguments("  a\tb  \"c d\" \"\"") == Words{"a", "b", "c d", ""});
    CHECK(forkline::split_windows_arguments("a\\\\b \\\\\\\"c \"d\\\\\" e") ==
          Words{"a\\\\b", "\\\"c", "d\\", "e"});  // 2n+1 backslashes: n and a quote
    CHECK(forkline::split_windows_arguments("\"a\"\"b\" x\"y z\"") == Words{"a\"b", "xy z"});
    CHECK(forkline::split_windows_arguments("").empty());
}

TEST_CASE("every quoted word splits back to itself") {
    const std::vector<std::string> words{"",   "a b",   "say \"hi\"", "a\\\"b", "dir with\\",
                                         "\\", "\\\\x", "tab\there",  "\"",     "a\\b c"};
    std::string line;
    for (const auto& word : words) (line += ' ') += forkline::quote_windows_argument(word);
    CHECK(forkline::split_windows_arguments(line) == words);
}

TEST_CASE("text for cmd.exe: its syntax escaped with ^, the quotes included") {
    CHECK(forkline::escape_for_cmd("\"a b\" & x|y") == "^\"a b^\" ^& x^|y");
    CHECK(forkline::escape_for_cmd("50% (^!) <in >out") == "50^% ^(^^^!^) ^<in ^>out");
    CHECK(forkline::escape_for_cmd("plain C:\\x") == "plain C:\\x");
}
