// Building one command line from a template and its arguments, as GNU parallel does:
// {} the arguments, {.} without extension, {/} basename, {//} dirname, {#} the job number.
// Each argument is inserted as one quoted word, so spaces and quotes in file names are
// safe: the result is parsed again by the pipeline parser, never by a shell (unless --shell,
// whose quoting is the same).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace run {

// 'it''s' style quoting that both parse_pipeline and /bin/sh read back as one word.
std::string quote_word(std::string_view word);

// Expands the placeholders of `command_template` with `args` (joined by spaces when there
// are several, each quoted). Without any placeholder the quoted arguments are appended.
std::string expand(std::string_view command_template, const std::vector<std::string>& args,
                   std::uint64_t seq);

// As expand(), but text for people (--tagstring), not a command: each argument inserted
// as it is, unquoted, and nothing appended.
std::string expand_text(std::string_view text, const std::vector<std::string>& args,
                        std::uint64_t seq);

}  // namespace run
