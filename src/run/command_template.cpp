#include "command_template.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <span>

#include "platform.hpp"
#include "shell_quote.hpp"
#include "shell_words.hpp"
#include "template_pieces.hpp"
#include "usage_error.hpp"
#include "windows_command_line.hpp"

namespace run {

namespace {

using forkline::QuoteContext;
using Records = std::span<const std::vector<std::string>>;

// {#} and {%} at their widest, for base_size() and record_size().
constexpr std::uint64_t kWidestSeq = std::numeric_limits<std::uint64_t>::max();
constexpr unsigned kWidestSlot = std::numeric_limits<unsigned>::max();

using Piece = TemplatePiece;
using Part = TemplatePiece::Part;

// Where a path's directories end: '/', and on Windows '\\' too.
constexpr std::string_view kPathSeparators = forkline::kWindows ? "/\\" : "/";

std::string_view basename_of(std::string_view path) {
    const auto slash = path.find_last_of(kPathSeparators);
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dirname_of(std::string_view path) {
    const auto slash = path.find_last_of(kPathSeparators);
    if (slash == std::string_view::npos) return ".";
    // The root keeps its separator: / (and on Windows C:\, where C: alone would mean that
    // drive's current directory).
    const bool drive_root = forkline::kWindows && slash == 2 && path[1] == ':';
    return slash == 0 || drive_root ? path.substr(0, slash + 1) : path.substr(0, slash);
}

// A dot file (.bashrc) has no extension, nor has a name whose only dot is in a directory.
std::string_view without_extension(std::string_view path) {
    const auto dot = path.rfind('.');
    const auto slash = path.find_last_of(kPathSeparators);
    const auto name_start = slash == std::string_view::npos ? 0 : slash + 1;
    if (dot == std::string_view::npos || dot <= name_start) return path;
    return path.substr(0, dot);
}

std::string_view part_of(std::string_view value, Part part) {
    switch (part) {
        case Part::whole:
            return value;
        case Part::no_extension:
            return without_extension(value);
        case Part::basename:
            return basename_of(value);
        case Part::dirname:
            return dirname_of(value);
        case Part::basename_no_extension:
            return without_extension(basename_of(value));
    }
    return value;
}

// Inside `…` sh removes a backslash before \ ` $ before it reads the command.
std::string escaped_for_backticks(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\\' || c == '`' || c == '$') out += '\\';
        out += c;
    }
    return out;
}

// cmd.exe has no '…' and no escapes inside "…": in the template's "…" the value is written
// as CommandLineToArgvW reads it there (`quote_follows`: a '"' may come next); elsewhere
// quoted for it, with every character cmd would take as syntax (the quotes too) escaped by
// ^. A '"' cannot be written inside "…": cmd would end its quoting there and read the rest
// of the value as its syntax.
void append_for_cmd(std::string& out, std::string_view value, QuoteContext context,
                    bool quote_follows = true) {
    if (context == QuoteContext::double_quoted) {
        if (value.find('"') != std::string_view::npos)
            throw ExpandError(
                "a '\"' in a value cannot be written inside \"…\" for cmd.exe "
                "(leave the placeholder unquoted: it is quoted for cmd)");
        out += forkline::windows_quoted_text(value, quote_follows);
    } else {
        out += forkline::escape_for_cmd(forkline::quote_windows_argument(value));
    }
}

// Inside the template's "…" on Windows, where the parser reads backslashes as
// CommandLineToArgvW does (pipeline.hpp): as it reads them there, $ and ` escaped.
void append_windows_double_quoted(std::string& out, std::string_view value, bool quote_follows) {
    for (const char c : forkline::windows_quoted_text(value, quote_follows)) {
        if (c == '$' || c == '`') out += '\\';
        out += c;
    }
}

// A value where no placeholder asked for it (the arguments after the template).
void append_argument(std::string& out, std::string_view value, const TemplateSettings& settings) {
    if (settings.cmd) {
        append_for_cmd(out, value, QuoteContext::unquoted);
    } else {
        forkline::append_quoted(out, value, QuoteContext::unquoted);
    }
}

// Appends one value of `piece` written for where it lands; `first`: the first value of the
// placeholder (the one its lead touches); `last`: its last (the one the template's text
// follows).
void append_value(std::string& out, const Piece& piece, std::string_view value, bool first,
                  bool last, const TemplateSettings& settings) {
    const bool quote_follows = last && piece.quote_may_follow;
    if (settings.cmd) return append_for_cmd(out, value, piece.context, quote_follows);
    if (forkline::kWindows && piece.context == QuoteContext::double_quoted && !piece.in_backticks)
        return append_windows_double_quoted(out, value, quote_follows);
    std::string backticked;
    std::string& to = piece.in_backticks ? backticked : out;
    const auto lead = first ? piece.lead : Piece::Lead::none;
    const bool word_start = first ? piece.word_start : true;
    const bool joins_name =
        !value.empty() && (lead == Piece::Lead::dollar ||
                           (lead == Piece::Lead::dollar_name && forkline::is_name_char(value[0])));
    if (piece.context == QuoteContext::unquoted) {
        bool started = false;
        if (lead == Piece::Lead::backslash) {
            // The template's backslash quotes our first byte; before a newline (or nothing)
            // it would join lines, so a newline is put there for it to remove.
            if (!value.empty() && value[0] != '\n') {
                to += value[0];
                value.remove_prefix(1);
                started = true;
            } else {
                to += '\n';
            }
        } else if (joins_name) {
            to += value[0] == '\n' ? "\"\n\"" : std::string{'\\', value[0]};
            value.remove_prefix(1);
            started = true;
        }
        if (!started || !value.empty())
            forkline::append_quoted(to, value, piece.context, word_start && !started);
    } else if (piece.context == QuoteContext::double_quoted) {
        // "\{}": the template's backslash is literal before '{'; it must stay so before
        // the escaped first byte (or the closing quote) that now follows it.
        if (lead == Piece::Lead::backslash &&
            (value.empty() ||
             std::string_view("\"\\$`\n").find(value[0]) != std::string_view::npos))
            to += '\\';
        if (joins_name) to += "\"\"";
        forkline::append_quoted(to, value, piece.context);
    } else {
        forkline::append_quoted(to, value, piece.context);
    }
    if (piece.in_backticks) out += escaped_for_backticks(backticked);
}

bool repeats_per_record(std::span<const Piece> word) {
    return std::any_of(word.begin(), word.end(),
                       [](const Piece& p) { return p.kind == Piece::Kind::arguments; });
}

// The pieces of the word that starts at `first` (one piece when it is no top-level word).
std::span<const Piece> word_at(const std::vector<Piece>& pieces, std::size_t first) {
    auto end = first + 1;
    while (pieces[first].word != Piece::kNoWord && end < pieces.size() &&
           pieces[end].word == pieces[first].word)
        ++end;
    return std::span<const Piece>(pieces).subspan(first, end - first);
}

std::size_t count_arguments(const Arguments& args) {
    std::size_t count = 0;
    for (const auto& record : args) count += record.size();
    return count;
}

}  // namespace

CommandTemplate::CommandTemplate(std::string text, TemplateSettings settings)
    : text_(std::move(text)), settings_(std::move(settings)) {
    if (settings_.replacement.empty())
        throw cli::UsageError("the replacement string (-I) cannot be empty");
    pieces_ = scan_template(text_, settings_);
}

CommandTemplate::~CommandTemplate() = default;
CommandTemplate::CommandTemplate(CommandTemplate&&) noexcept = default;
CommandTemplate& CommandTemplate::operator=(CommandTemplate&&) noexcept = default;

bool CommandTemplate::has_placeholder() const {
    return std::any_of(pieces_.begin(), pieces_.end(),
                       [](const Piece& p) { return p.kind != Piece::Kind::text; });
}

std::size_t CommandTemplate::highest_column() const {
    std::size_t highest = 0;
    for (const auto& piece : pieces_)
        if (piece.kind == Piece::Kind::column) highest = std::max(highest, piece.column + 1);
    return highest;
}

const TemplateSettings& CommandTemplate::settings() const {
    return settings_;
}

namespace {

// {N}: the N-th argument of the job, counting every column of every record; nullopt: past
// the end of a short last job under -N, where GNU parallel inserts nothing.
std::optional<std::string_view> column_value(const Piece& piece, const Arguments& args,
                                             std::size_t exact_records) {
    auto index = piece.column;
    for (const auto& record : args) {
        if (index < record.size()) return record[index];
        index -= record.size();
    }
    const auto columns = args.empty() ? 1 : args.front().size();
    if (piece.column < exact_records * columns) return std::nullopt;
    const auto have = count_arguments(args);
    throw ExpandError(
        piece.text + ": " +
        (args.size() <= 1
             ? "the input has only " + std::to_string(have) + (have == 1 ? " column" : " columns")
             : "the job has only " + std::to_string(have) + " arguments"));
}

// Appends `piece` with the arguments of `records` ({}) or of the whole job ({N}), each
// written for where it lands, or `as_text`, as it is.
void append_piece(std::string& out, const Piece& piece, Records records, const Arguments& args,
                  const TemplateSettings& settings, std::uint64_t seq, unsigned slot,
                  bool as_text = false) {
    const auto put = [&](std::string_view value, bool first, bool last) {
        if (as_text) {
            out += value;
        } else {
            append_value(out, piece, value, first, last, settings);
        }
    };
    switch (piece.kind) {
        case Piece::Kind::text:
            out += piece.text;
            return;
        case Piece::Kind::seq:
            out += std::to_string(seq);
            return;
        case Piece::Kind::slot:
            out += std::to_string(slot);
            return;
        case Piece::Kind::column:
            if (const auto value = column_value(piece, args, settings.exact_records))
                put(part_of(*value, piece.part), true, true);
            return;
        case Piece::Kind::arguments: {
            bool first = true;
            std::size_t left = 0;
            for (const auto& record : records) left += record.size();
            for (const auto& record : records) {
                for (const auto& value : record) {
                    if (!first) out += ' ';
                    put(part_of(value, piece.part), first, --left == 0);
                    first = false;
                }
            }
            if (first) put({}, true, true);  // no argument: an empty one
            return;
        }
    }
}

}  // namespace

std::string CommandTemplate::expand(const Arguments& given, std::uint64_t seq,
                                    unsigned slot) const {
    static const Arguments kNone;
    const Arguments& args = settings_.insert_none ? kNone : given;
    std::string out;
    out.reserve(text_.size() + 16);
    const Records all(args);
    for (std::size_t i = 0; i < pieces_.size();) {
        const auto word = word_at(pieces_, i);
        if (settings_.mode == ReplaceMode::context && repeats_per_record(word)) {
            // -X: the whole word once per record, each copy holding that record.
            for (std::size_t r = 0; r < std::max<std::size_t>(args.size(), 1); ++r) {
                if (r > 0) out += ' ';
                const auto record = args.empty() ? all : all.subspan(r, 1);
                for (const auto& piece : word)
                    append_piece(out, piece, record, args, settings_, seq, slot);
            }
        } else {
            for (const auto& piece : word)
                append_piece(out, piece, all, args, settings_, seq, slot);
        }
        i += word.size();
    }
    if (!has_placeholder()) {
        for (const auto& record : args) {
            for (const auto& value : record) {
                out += ' ';
                append_argument(out, value, settings_);
            }
        }
    }
    return out;
}

std::string CommandTemplate::expand_text(const Arguments& args, std::uint64_t seq,
                                         unsigned slot) const {
    std::string out;
    for (const auto& piece : pieces_)
        append_piece(out, piece, Records(args), args, settings_, seq, slot, true);
    return out;
}

std::size_t CommandTemplate::base_size() const {
    std::size_t size = 0;
    for (std::size_t i = 0; i < pieces_.size();) {
        const auto word = word_at(pieces_, i);
        i += word.size();
        if (settings_.mode == ReplaceMode::context && repeats_per_record(word)) continue;
        for (const auto& piece : word) {
            if (piece.kind == Piece::Kind::text) size += piece.text.size();
            if (piece.kind == Piece::Kind::seq) size += std::to_string(kWidestSeq).size();
            if (piece.kind == Piece::Kind::slot) size += std::to_string(kWidestSlot).size();
        }
    }
    return size;
}

std::size_t CommandTemplate::record_size(const std::vector<std::string>& record) const {
    const Arguments none;
    const Records one(&record, 1);
    std::string scratch;
    // {N} holds one argument of the job: at most the longest of any record's.
    const auto longest = [&](const Piece& piece) {
        std::size_t size = 0;
        for (const auto& value : record) {
            scratch.clear();
            try {
                append_value(scratch, piece, part_of(value, piece.part), true, true, settings_);
            } catch (const ExpandError&) {  // its job fails when expanded, and says why
                scratch = value;
            }
            size = std::max(size, scratch.size());
        }
        return size;
    };
    std::size_t size = 0;
    for (std::size_t i = 0; i < pieces_.size();) {
        const auto word = word_at(pieces_, i);
        i += word.size();
        // -X: one more copy of the word and a space; else a space and the values.
        const bool repeated = settings_.mode == ReplaceMode::context && repeats_per_record(word);
        if (repeated) size += 1;
        for (const auto& piece : word) {
            if (piece.kind == Piece::Kind::column) {
                size += longest(piece);
            } else if (piece.kind == Piece::Kind::arguments || repeated) {
                scratch.clear();
                append_piece(scratch, piece, one, none, settings_, kWidestSeq, kWidestSlot);
                size += scratch.size() + (repeated ? 0 : 1);
            }
        }
    }
    if (!has_placeholder()) {
        for (const auto& value : record) {
            scratch.clear();
            append_argument(scratch, value, settings_);
            size += scratch.size() + 1;
        }
    }
    return size;
}

}  // namespace run
