// The Windows command-line quoting as plain strings (runs on every platform); the round
// trip through CommandLineToArgvW itself is tests/test_spawn_windows.cpp, under wine.
#include <doctest/doctest.h>

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
