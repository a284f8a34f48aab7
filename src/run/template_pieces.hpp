// Reading a command template as sh (and the pipeline parser) reads it: runs of literal text
// and placeholders, each placeholder knowing the quoting it lands in and the top-level word
// it belongs to. command_template.cpp writes the arguments from this.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "command_template.hpp"
#include "shell_quote.hpp"

namespace run {

// A run of literal template text, or one placeholder and where it lands.
struct TemplatePiece {
    enum class Kind { text, arguments, column, seq, slot };

    // What the template has right before a placeholder that would join its first byte:
    // a backslash (which quotes it), or $ or $NAME (which it would extend).
    enum class Lead { none, backslash, dollar, dollar_name };

    enum class Part { whole, no_extension, basename, dirname, basename_no_extension };

    Kind kind = Kind::text;
    std::string text;  // the literal text, or the placeholder as written (for messages)
    Part part = Part::whole;
    std::size_t column = 0;  // Kind::column: 0-based, into the job's arguments in order
    forkline::QuoteContext context = forkline::QuoteContext::unquoted;
    Lead lead = Lead::none;
    bool word_start = false;    // unquoted, first in its word
    bool in_backticks = false;  // inside `…`
    // What follows may be a '"' (none of the template's text comes next, or it starts with
    // one, after backslashes or not): inside "…" on Windows a value's trailing backslashes
    // are doubled there, literal elsewhere.
    bool quote_may_follow = true;
    // The top-level word it is part of (for -X); kNoWord: blanks and operators between words.
    static constexpr std::size_t kNoWord = std::numeric_limits<std::size_t>::max();
    std::size_t word = kNoWord;
};

// Throws cli::UsageError for an unterminated quote (or $( or ` under --shell).
std::vector<TemplatePiece> scan_template(std::string_view text, const TemplateSettings& settings);

}  // namespace run
