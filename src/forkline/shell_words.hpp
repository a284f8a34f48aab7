// What sh sees in the characters of a word: names, digits, reserved words, user names
// and bash's brace sequences. Pure predicates for the pipeline parser.
#pragma once

#include <string_view>

namespace forkline {

bool is_digit(char c);
bool is_name_start(char c);              // a letter or '_': how a variable name starts
bool is_name_char(char c);               // ... and continues
bool all_digits(std::string_view text);  // non-empty, digits only
// Words sh (or bash) reads as syntax where a command is expected: if, {, [[, !, …
bool is_reserved_word(std::string_view word);
// What getpwnam may be asked: POSIX's portable user names.
bool is_user_name(std::string_view text);
// bash's sequence expression, the inside of {1..5} {a..e} {1..9..2}.
bool is_brace_sequence(std::string_view inside);

}  // namespace forkline
