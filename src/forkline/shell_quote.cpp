#include "shell_quote.hpp"

#include <algorithm>

#include "shell_words.hpp"

namespace forkline {

namespace {

// Bytes that mean themselves anywhere in an unquoted word, in sh and in the parser. Bytes
// from 0x80 on (UTF-8 or not) are word characters to both.
bool plain_byte(char c) {
    return is_name_char(c) || static_cast<unsigned char>(c) >= 0x80 ||
           std::string_view("-./:@%+,=").find(c) != std::string_view::npos;
}

// NAME=… at the start of a command is an assignment, not an argument.
bool assignment_shaped(std::string_view text) {
    const auto equals = text.find('=');
    if (equals == std::string_view::npos || equals == 0 || !is_name_start(text[0])) return false;
    return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(equals),
                       is_name_char);
}

void append_single_quoted_body(std::string& out, std::string_view text) {
    for (const char c : text) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
}

}  // namespace

bool needs_quoting(std::string_view text, bool word_start) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), plain_byte)) return true;
    return word_start && (assignment_shaped(text) || is_reserved_word(text));
}

void append_quoted(std::string& out, std::string_view text, QuoteContext context, bool word_start) {
    switch (context) {
        case QuoteContext::unquoted:
            if (!needs_quoting(text, word_start)) {
                out += text;
                return;
            }
            out += '\'';
            append_single_quoted_body(out, text);
            out += '\'';
            return;
        case QuoteContext::single_quoted:
            append_single_quoted_body(out, text);
            return;
        case QuoteContext::double_quoted:
            for (const char c : text) {
                if (c == '"' || c == '\\' || c == '$' || c == '`') out += '\\';
                out += c;
            }
            return;
    }
}

}  // namespace forkline
