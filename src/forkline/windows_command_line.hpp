// Building a Windows command line from words. Windows passes a program one string, which the
// program splits itself; most (every C and C++ runtime, CommandLineToArgvW) split it by the
// rules quoted here, so words quoted this way reach them unchanged. Platform-free (plain
// string work), so it is tested on Linux too; the round trip through CommandLineToArgvW
// is tested under wine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace forkline {

// One argument: as is when it has no space, tab, newline or '"' and is not empty; else in
// "…" with each '"' as \" and the backslashes before a '"' (or before the closing quote)
// doubled: the only places where backslashes are special.
std::string quote_windows_argument(std::string_view word);

// What goes between the quotes for `word` to be read back inside "…": each '"' as \" and the
// backslashes before a '"' doubled, and those at its end too unless `quote_follows` is false
// (more text comes before the closing quote: there backslashes are literal).
std::string windows_quoted_text(std::string_view word, bool quote_follows = true);

// `text` with a ^ before each character cmd.exe reads as syntax: ( ) % ! ^ " < > & |. cmd
// removes the carets and passes the rest on, quotes included, taking none of it as syntax
// (as long as `text` is not inside a "…" of the command: there a ^ is literal).
std::string escape_for_cmd(std::string_view text);

// How CommandLineToArgvW (and the C runtimes) split the arguments after the program's word:
// blanks separate words outside "…"; 2n backslashes before a '"' are n backslashes and the
// '"' opens or closes quoting, 2n+1 are n and a literal '"'; inside "…", "" is a literal '"'.
std::vector<std::string> split_windows_arguments(std::string_view arguments);

// The program's own word (argv[0]): CommandLineToArgvW reads it up to the next space, or
// inside "…" to the next '"', with no escapes (a Windows file name cannot contain '"').
std::string quote_windows_program(std::string_view program);

// argv[0] quoted as a program, then each argument quoted, separated by spaces.
std::string windows_command_line(std::string_view program, const std::vector<std::string>& args);

}  // namespace forkline
