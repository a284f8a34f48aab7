#include "template_pieces.hpp"

#include <algorithm>
#include <optional>

#include "shell_words.hpp"
#include "usage_error.hpp"

namespace run {

namespace {

using forkline::QuoteContext;
using Piece = TemplatePiece;
using Part = TemplatePiece::Part;

// Characters that end a word outside quotes (sh's blanks and operators).
bool ends_word(char c) {
    return std::string_view(" \t\n|&;<>()").find(c) != std::string_view::npos;
}

// Reads the template once, as sh would, into literal text and placeholders, each knowing the
// quoting it lands in and the top-level word it belongs to.
class TemplateScanner {
  public:
    TemplateScanner(std::string_view text, const TemplateSettings& settings)
        : text_(text), settings_(settings) {}

    std::vector<Piece> scan() {
        // GNU parallel would run its perl: left literal, the job would silently differ.
        if (const auto open = text_.find("{=");
            open != std::string_view::npos && text_.find("=}", open + 2) != std::string_view::npos)
            throw cli::UsageError(
                "{= perl expressions =} are not supported (GNU parallel); "
                "use {.} {/} {//} {/.} or --shell with sed");
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
    std::size_t word() const { return in_word_ ? words_ - 1 : Piece::kNoWord; }

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

}  // namespace

std::vector<TemplatePiece> scan_template(std::string_view text, const TemplateSettings& settings) {
    auto pieces = TemplateScanner(text, settings).scan();
    for (std::size_t i = 0; i + 1 < pieces.size(); ++i) {
        const auto& next = pieces[i + 1];
        const auto after_backslashes = next.text.find_first_not_of('\\');
        if (next.kind == TemplatePiece::Kind::text && after_backslashes != std::string::npos &&
            next.text[after_backslashes] != '"')
            pieces[i].quote_may_follow = false;
    }
    return pieces;
}

}  // namespace run
