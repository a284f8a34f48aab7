#include "command_template.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <span>

#include "shell_quote.hpp"
#include "shell_words.hpp"
#include "usage_error.hpp"

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
    // The top-level word it is part of (for -X); none: blanks and operators between words.
    std::size_t word = std::numeric_limits<std::size_t>::max();
};

namespace {

using forkline::QuoteContext;
using Records = std::span<const std::vector<std::string>>;

constexpr std::size_t kNotAWord = std::numeric_limits<std::size_t>::max();
// {#} and {%} at their widest, for base_size() and record_size().
constexpr std::uint64_t kWidestSeq = std::numeric_limits<std::uint64_t>::max();
constexpr unsigned kWidestSlot = std::numeric_limits<unsigned>::max();

using Part = TemplatePiece::Part;

std::string_view basename_of(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dirname_of(std::string_view path) {
    const auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return ".";
    return slash == 0 ? path.substr(0, 1) : path.substr(0, slash);
}

// A dot file (.bashrc) has no extension, nor has a name whose only dot is in a directory.
std::string_view without_extension(std::string_view path) {
    const auto dot = path.rfind('.');
    const auto slash = path.rfind('/');
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

// Characters that end a word outside quotes (sh's blanks and operators).
bool ends_word(char c) {
    return std::string_view(" \t\n|&;<>()").find(c) != std::string_view::npos;
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

}  // namespace

namespace {

using Piece = TemplatePiece;

// Reads the template once, as sh would, into literal text and placeholders, each knowing the
// quoting it lands in and the top-level word it belongs to.
class TemplateScanner {
  public:
    TemplateScanner(std::string_view text, const TemplateSettings& settings)
        : text_(text), settings_(settings) {}

    std::vector<Piece> scan() {
        for (std::size_t i = 0; i < text_.size();) {
            const auto frame = frames_.back().kind;
            if (frame != Frame::top || !ends_word(text_[i])) start_word();
            if (auto placeholder = placeholder_at(i)) {
                placeholder->lead = lead_before(i);
                place(std::move(*placeholder), i);
                i += pieces_.back().text.size();
                continue;
            }
            const char c = text_[i];
            const char next = i + 1 < text_.size() ? text_[i + 1] : '\0';
            std::size_t length = 1;
            switch (frame) {
                case Frame::single:
                    if (c == '\'') frames_.pop_back();
                    break;
                case Frame::double_quoted:
                    if (c == '\\' &&
                        std::string_view("\"\\$`\n").find(next) != std::string_view::npos) {
                        length = 2;
                    } else if (c == '"') {
                        frames_.pop_back();
                    } else {
                        length = substitution(c, next);
                    }
                    break;
                case Frame::top:
                case Frame::command:
                case Frame::backticks:
                    if (c == '\\') {  // quotes the next byte, unless a placeholder starts there
                        length = placeholder_at(i + 1) || next == '\0' ? 1 : 2;
                    } else if (c == '\'') {
                        frames_.push_back({Frame::single});
                    } else if (c == '"') {
                        frames_.push_back({Frame::double_quoted});
                    } else if (frame == Frame::command && c == '(') {
                        ++frames_.back().parens;
                    } else if (frame == Frame::command && c == ')') {
                        if (frames_.back().parens-- == 0) frames_.pop_back();
                    } else if (frame == Frame::backticks && c == '`') {
                        frames_.pop_back();
                    } else if (frame == Frame::top && ends_word(c)) {
                        in_word_ = false;
                    } else if (settings_.shell && c == '#' && (i == 0 || ends_word(text_[i - 1]))) {
                        length = comment_length(i);
                    } else {
                        length = substitution(c, next);
                    }
                    break;
            }
            literal(text_.substr(i, length));
            i += length;
        }
        if (frames_.size() != 1) {
            throw cli::UsageError("the command template has an unterminated " +
                                  std::string(frames_.back().opening()));
        }
        return std::move(pieces_);
    }

  private:
    struct Frame {
        enum Kind { top, command /* $(…) */, backticks, single, double_quoted } kind;
        int parens = 0;  // $(…): open ( inside it
        const char* opening() const {
            return kind == command     ? "$("
                   : kind == backticks ? "`"
                   : kind == single    ? "' quote"
                                       : "\" quote";
        }
    };

    // $( and ` start a command inside the command: only a shell has them.
    std::size_t substitution(char c, char next) {
        if (!settings_.shell) return 1;
        if (c == '$' && next == '(') {
            frames_.push_back({Frame::command});
            return 2;
        }
        if (c == '`') frames_.push_back({Frame::backticks});
        return 1;
    }

    // A # starting a word begins a comment for sh, up to the end of the line: its quotes
    // and placeholders are no syntax.
    std::size_t comment_length(std::size_t at) const {
        const auto newline = text_.find('\n', at);
        return (newline == std::string_view::npos ? text_.size() : newline) - at;
    }

    void start_word() {
        if (frames_.back().kind == Frame::top && !in_word_) {
            in_word_ = true;
            ++words_;
        }
    }
    std::size_t word() const { return in_word_ ? words_ - 1 : kNotAWord; }

    void literal(std::string_view text) {
        if (pieces_.empty() || pieces_.back().kind != Piece::Kind::text ||
            pieces_.back().word != word()) {
            pieces_.push_back({.text = {}, .word = word()});
        }
        pieces_.back().text += text;
    }

    void place(Piece piece, std::size_t at) {
        piece.word = word();
        piece.in_backticks = std::any_of(frames_.begin(), frames_.end(),
                                         [](const Frame& f) { return f.kind == Frame::backticks; });
        switch (frames_.back().kind) {
            case Frame::single:
                piece.context = QuoteContext::single_quoted;
                break;
            case Frame::double_quoted:
                piece.context = QuoteContext::double_quoted;
                break;
            default:
                piece.context = QuoteContext::unquoted;
                piece.word_start = at == 0 || ends_word(text_[at - 1]) || text_[at - 1] == '`';
        }
        if (piece.context == QuoteContext::single_quoted) piece.lead = Piece::Lead::none;
        pieces_.push_back(std::move(piece));
    }

    bool escaped(std::size_t at) const {
        std::size_t backslashes = 0;
        while (at > backslashes && text_[at - backslashes - 1] == '\\') ++backslashes;
        return backslashes % 2 == 1;
    }

    // A backslash, $ or $NAME right before `at`: the value must not pair with it.
    Piece::Lead lead_before(std::size_t at) const {
        if (at > 0 && text_[at - 1] == '\\' && !escaped(at - 1)) return Piece::Lead::backslash;
        if (at > 0 && text_[at - 1] == '$' && !escaped(at - 1)) return Piece::Lead::dollar;
        auto name = at;
        while (name > 0 && forkline::is_name_char(text_[name - 1])) --name;
        if (name < at && name > 0 && text_[name - 1] == '$' &&
            forkline::is_name_start(text_[name]) && !escaped(name - 1))
            return Piece::Lead::dollar_name;
        return Piece::Lead::none;
    }

    std::optional<Piece> placeholder_at(std::size_t at) const {
        const auto rest = text_.substr(std::min(at, text_.size()));
        const auto& replacement = settings_.replacement;
        if (rest.starts_with(replacement))
            return Piece{.kind = Piece::Kind::arguments, .text = replacement};
        if (!rest.starts_with('{')) return std::nullopt;
        const auto close = rest.find('}');
        if (close == std::string_view::npos) return std::nullopt;
        const auto inside = rest.substr(1, close - 1);
        if (inside.find('{') != std::string_view::npos) return std::nullopt;
        Piece piece{.text = std::string(rest.substr(0, close + 1))};
        const auto& names = settings_.column_names;
        if (const auto name = std::find(names.begin(), names.end(), inside); name != names.end()) {
            piece.kind = Piece::Kind::column;
            piece.column = static_cast<std::size_t>(name - names.begin());
            return piece;
        }
        if (inside == "#" || inside == "%") {
            piece.kind = inside == "#" ? Piece::Kind::seq : Piece::Kind::slot;
            return piece;
        }
        static constexpr std::pair<std::string_view, Part> kSuffixes[] = {
            {"/.", Part::basename_no_extension},
            {"//", Part::dirname},
            {"/", Part::basename},
            {".", Part::no_extension},
            {"", Part::whole}};
        for (const auto& [suffix, part] : kSuffixes) {
            if (!inside.ends_with(suffix)) continue;
            const auto number = inside.substr(0, inside.size() - suffix.size());
            piece.part = part;
            if (number.empty() && part != Part::whole) {
                piece.kind = Piece::Kind::arguments;
                return piece;
            }
            // {0}, {01} and numbers past any use are left as written.
            if (!forkline::all_digits(number) || number[0] == '0' || number.size() > 9)
                return std::nullopt;
            piece.kind = Piece::Kind::column;
            piece.column = std::stoul(std::string(number)) - 1;
            return piece;
        }
        return std::nullopt;
    }

    std::string_view text_;
    const TemplateSettings& settings_;
    std::vector<Frame> frames_{{Frame::top}};
    std::vector<Piece> pieces_;
    std::size_t words_ = 0;  // top-level words begun so far
    bool in_word_ = false;
};

// Appends one value of `piece` written for where it lands; `first`: the first value of the
// placeholder (the one its lead touches).
void append_value(std::string& out, const Piece& piece, std::string_view value, bool first) {
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
    while (pieces[first].word != kNotAWord && end < pieces.size() &&
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
    pieces_ = TemplateScanner(text_, settings_).scan();
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

// Appends `piece` with the arguments of `records` ({}) or of the whole job ({N}).
void append_piece(std::string& out, const Piece& piece, Records records, const Arguments& args,
                  const TemplateSettings& settings, std::uint64_t seq, unsigned slot) {
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
                append_value(out, piece, part_of(*value, piece.part), true);
            return;
        case Piece::Kind::arguments: {
            bool first = true;
            for (const auto& record : records) {
                for (const auto& value : record) {
                    if (!first) out += ' ';
                    append_value(out, piece, part_of(value, piece.part), first);
                    first = false;
                }
            }
            if (first) append_value(out, piece, {}, true);  // no argument: an empty one
            return;
        }
    }
}

}  // namespace

std::string CommandTemplate::expand(const Arguments& args, std::uint64_t seq, unsigned slot) const {
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
                forkline::append_quoted(out, value, QuoteContext::unquoted);
            }
        }
    }
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
            append_value(scratch, piece, part_of(value, piece.part), true);
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
            forkline::append_quoted(scratch, value, QuoteContext::unquoted);
            size += scratch.size() + 1;
        }
    }
    return size;
}

}  // namespace run
