// Writing text into a command line so that the pipeline parser and /bin/sh both read it back
// exactly as it is, whatever its bytes (spaces, quotes, $, `, newlines, non-UTF-8): the
// inverse of parse_pipeline's quoting rules, which are sh's.
#pragma once

#include <string>
#include <string_view>

namespace forkline {

// Where the text lands: outside quotes, inside '…', inside "…".
enum class QuoteContext { unquoted, single_quoted, double_quoted };

// True when `text` needs quoting outside quotes: it holds a byte sh reads as syntax, or it is
// empty. `word_start`: the text begins a word, where NAME=… is an assignment and `if` a
// reserved word.
bool needs_quoting(std::string_view text, bool word_start);

// Appends `text` to `out` written for `context`: unquoted, quoted with '…' only when it needs
// it ('it'\''s'); inside '…', each ' as '\''; inside "…", a backslash before " \ $ `.
void append_quoted(std::string& out, std::string_view text, QuoteContext context,
                   bool word_start = true);

}  // namespace forkline
