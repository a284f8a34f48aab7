// parse_pipeline(): a small hand-written lexer. Each stage is a list of assignments, words
// and redirections; '|' ends a stage. What it reads, it reads as sh does; what sh would
// expand or read as syntax is refused, never taken literally. Errors give 1-based columns
// of the text as written (line continuations included).
#include <algorithm>
#include <forkline/pipeline.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "home_directory.hpp"
#include "platform.hpp"
#include "shell_words.hpp"
#include "windows_command_line.hpp"

namespace forkline {

namespace {

constexpr std::string_view kNeedsShell = ";&`()*?";
// Windows: what a backslash outside quotes still escapes (sh's syntax, not blanks).
constexpr std::string_view kEscapableOnWindows = "'$`|&;<>()*?[#~{}";
constexpr std::string_view kShellHint =
    "' needs --shell (no globbing, variables or command lists here)";

enum class WordKind {
    argument,          // a command word, argument or file name
    assignment_value,  // after NAME=: no globbing or brace expansion, ~ also after ':'
};

class Parser {
  public:
    explicit Parser(std::string_view text) {
        if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
            throw ParseError(nul + 1, "a NUL byte cannot be passed to a program");
        }
        join_continued_lines(text);
    }

    std::vector<Stage> parse() {
        std::vector<Stage> stages;
        Stage stage;
        std::size_t stage_start = 0;
        std::size_t first_assignment = 0;
        for (;;) {
            skip_blanks();
            if (peek() == '\n' && !only_blanks_left()) {
                throw ParseError(column(pos_), "a newline between commands needs --shell");
            }
            if (at_end() || peek() == '|' || peek() == '\n') {
                if (stage.argv.empty()) {
                    if (!stage.assignments.empty()) {
                        throw ParseError(column(first_assignment),
                                         "an assignment without a command (a shell variable) "
                                         "needs --shell");
                    }
                    throw ParseError(column(stage_start),
                                     at_end() && stages.empty() && stage.redirects.empty()
                                         ? "empty command"
                                         : "empty stage (no command)");
                }
                stages.push_back(std::move(stage));
                stage = Stage{};
                if (at_end() || peek() == '\n') return stages;
                ++pos_;  // '|'
                if (!at_end() && peek() == '|')
                    throw ParseError(column(pos_ - 1), "'||' needs --shell");
                stage_start = pos_;
                continue;
            }
            if (auto redirect = redirect_operator()) {
                stage.redirects.push_back(std::move(*redirect));
                continue;
            }
            if (stage.argv.empty()) {
                if (stage.assignments.empty()) first_assignment = pos_;
                if (auto assignment = assignment_word()) {
                    stage.assignments.push_back(std::move(*assignment));
                    continue;
                }
                refuse_reserved_word();
            }
            const auto word_start = pos_;
            stage.argv.push_back(word());
            if (stage.argv.size() == 1) {
                stage.raw_arguments.emplace();
            } else {
                if (!stage.raw_arguments->empty()) *stage.raw_arguments += ' ';
                *stage.raw_arguments += windows_spelling(
                    text_.substr(word_start, pos_ - word_start), stage.argv.back());
            }
        }
    }

  private:
    // A word as a Windows program should get it: as written when the program reads it back
    // as the same word (`"LISTENING"` keeps its quotes, which find needs), else quoted for
    // it (sh's '…', \ escapes and "\$" mean nothing to a Windows program).
    static std::string windows_spelling(std::string_view written, const std::string& word) {
        const auto read_back = split_windows_arguments(written);
        if (read_back.size() == 1 && read_back.front() == word) return std::string(written);
        return quote_windows_argument(word);
    }

    bool at_end() const { return pos_ >= text_.size(); }
    char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }
    // The column in the text as written: each line continuation removed before `pos` was 2.
    std::size_t column(std::size_t pos) const {
        const auto joined = std::upper_bound(joins_.begin(), joins_.end(), pos) - joins_.begin();
        return pos + 1 + 2 * static_cast<std::size_t>(joined);
    }
    // A newline is not a blank: it would separate commands, which needs a shell.
    static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
    static bool ends_word(char c) {
        return is_blank(c) || c == '\n' || c == '|' || c == '<' || c == '>';
    }
    bool only_blanks_left() const {
        return text_.find_first_not_of(" \t\r\n", pos_) == std::string_view::npos;
    }
    std::size_t word_end(std::size_t from) const {
        std::size_t end = from;
        while (end < text_.size() && !ends_word(text_[end])) ++end;
        return end;
    }

    void skip_blanks() {
        while (!at_end() && is_blank(peek())) ++pos_;
    }

    // sh removes backslash-newline outside single quotes before anything else. Removed here
    // too, remembering where, for the columns.
    void join_continued_lines(std::string_view text) {
        bool in_single = false;
        bool in_double = false;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (!in_single && c == '\\' && i + 1 < text.size()) {
                if (text[i + 1] == '\n') {
                    joins_.push_back(text_.size());
                } else {
                    text_ += c;
                    text_ += text[i + 1];
                }
                ++i;
                continue;
            }
            if (c == '\'' && !in_double) in_single = !in_single;
            if (c == '"' && !in_single) in_double = !in_double;
            text_ += c;
        }
    }

    // [N]op at pos_, where N is a word of digits glued to the operator (sh's IO_NUMBER).
    std::optional<Redirect> redirect_operator() {
        const auto start = pos_;
        auto op = start;
        while (op < text_.size() && is_digit(text_[op])) ++op;
        if (op == text_.size() || (text_[op] != '<' && text_[op] != '>')) return std::nullopt;
        if (op - start > 1)
            throw ParseError(column(start), "only descriptors 0-9 can be redirected");
        const int fd = op > start ? text_[start] - '0' : -1;
        pos_ = op;
        const bool input = peek() == '<';
        if (input && peek(1) == '<')
            throw ParseError(column(pos_), "'<<' (here-document) needs --shell");
        if (peek(1) == '&') {
            pos_ += 2;
            return duplication(start, fd >= 0 ? fd : input ? 0 : 1);
        }
        auto kind = input ? Redirect::Kind::input : Redirect::Kind::output;
        std::size_t length = 1;
        if (peek(1) == '>') {
            kind = input ? Redirect::Kind::read_write : Redirect::Kind::append_output;
            length = 2;
        } else if (!input && peek(1) == '|') {
            length = 2;  // >| is > without sh's noclobber option, which is never on here
        }
        pos_ += length;
        if (peek() == '&' || peek() == '|') {
            throw ParseError(column(pos_), "'" + std::string(text_.substr(op, pos_ - op + 1)) +
                                               "' needs --shell");
        }
        const auto operator_text = std::string(text_.substr(start, pos_ - start));
        skip_blanks();
        if (at_end() || ends_word(peek())) {
            throw ParseError(column(start), "'" + operator_text + "' needs a file name after it");
        }
        refuse_redirection_after(operator_text);
        const int default_fd = input ? 0 : 1;
        return Redirect{kind, word(), fd >= 0 ? fd : default_fd};
    }

    // "> 2>f" is a syntax error in sh: a descriptor where the operand should be.
    void refuse_redirection_after(const std::string& operator_text) const {
        auto digits_end = pos_;
        while (digits_end < text_.size() && is_digit(text_[digits_end])) ++digits_end;
        if (digits_end > pos_ && digits_end < text_.size() &&
            (text_[digits_end] == '<' || text_[digits_end] == '>')) {
            throw ParseError(column(pos_), "'" + operator_text +
                                               "' is followed by another redirection, a syntax "
                                               "error in sh");
        }
    }

    // After N>& or N<&: a descriptor to copy, or '-' to close N.
    Redirect duplication(std::size_t start, int fd) {
        const auto operator_text = std::string(text_.substr(start, pos_ - start));
        const std::string expected =
            "'" + operator_text + "' needs a descriptor (0-9) or '-' after it";
        skip_blanks();
        const auto target_start = pos_;
        if (at_end() || ends_word(peek())) throw ParseError(column(start), expected);
        refuse_redirection_after(operator_text);
        const auto target = word();
        if (target == "-") return Redirect{Redirect::Kind::close, {}, fd};
        if (target.size() == 1 && is_digit(target[0]))
            return Redirect{Redirect::Kind::duplicate, {}, fd, target[0] - '0'};
        throw ParseError(column(target_start),
                         all_digits(target) ? "only descriptors 0-9 can be duplicated" : expected);
    }

    // NAME=value before the command: "NAME=" unquoted, the value a word (sh's rule).
    std::optional<std::string> assignment_word() {
        const auto equals = name_end(pos_);
        if (equals + 1 < text_.size() && text_[equals] == '+' && text_[equals + 1] == '=') {
            throw ParseError(column(equals), "'+=' (appending to a variable) needs --shell");
        }
        if (equals >= text_.size() || text_[equals] != '=') return std::nullopt;
        const auto name = text_.substr(pos_, equals + 1 - pos_);
        pos_ = equals + 1;
        return std::string(name) + word(WordKind::assignment_value);
    }

    // Where the NAME starting at `from` ends (`from` when none starts there).
    std::size_t name_end(std::size_t from) const {
        if (from >= text_.size() || !is_name_start(text_[from])) return from;
        auto end = from + 1;
        while (end < text_.size() && is_name_char(text_[end])) ++end;
        return end;
    }

    void refuse_reserved_word() const {
        const auto raw = text_.substr(pos_, word_end(pos_) - pos_);
        if (is_reserved_word(raw)) {
            throw ParseError(column(pos_), "'" + std::string(raw) +
                                               "' is sh syntax (a reserved word): needs --shell");
        }
    }

    std::string word(WordKind kind = WordKind::argument) {
        const bool value = kind == WordKind::assignment_value;
        const auto start = pos_;
        // An argument shaped NAME=…: where bash expands ~ and sh does not.
        const auto equals = name_end(start);
        const bool assignment_shaped = !value && equals > start && peek(equals - start) == '=';
        std::string result;
        bool tilde_allowed = true;  // at the start; in a value also after each ':'
        while (!at_end() && !ends_word(peek())) {
            const char c = peek();
            if (c == '~' && std::exchange(tilde_allowed, false)) {
                if (pos_ != start && !value) {
                    throw ParseError(column(pos_),
                                     "bash expands this '~' (after NAME= or ':') "
                                     "and sh does not: quote it or write the "
                                     "directory");
                }
                tilde_prefix(result, value);
                continue;
            }
            tilde_allowed =
                (c == ':' && (value || assignment_shaped)) || (assignment_shaped && pos_ == equals);
            if (c == '\'') {
                single_quoted(result);
            } else if (c == '"') {
                double_quoted(result);
            } else if (c == '\\' && kWindows) {
                windows_backslashes(result, kEscapableOnWindows);
            } else if (c == '\\') {
                if (pos_ + 1 >= text_.size())
                    throw ParseError(column(pos_), "backslash at the end of the command");
                result += text_[pos_ + 1];
                pos_ += 2;
            } else if (c == '$' && !literal_dollar(false)) {
                throw ParseError(column(pos_), "unquoted '$" + std::string(kShellHint));
            } else if (c == '#' && pos_ == start && !value) {
                throw ParseError(column(pos_),
                                 "a word starting with '#' is a comment in sh: quote it, or "
                                 "use --shell");
            } else if (c == '{' && !value && brace_expansion_at(pos_)) {
                throw ParseError(column(pos_), "brace expansion ({a,b} {1..3}) needs --shell");
            } else if (c == '[' && !value && closing_bracket_after(pos_)) {
                throw ParseError(column(pos_),
                                 "unquoted '[…]' (a glob)" + std::string(kShellHint.substr(1)));
            } else if (kNeedsShell.find(c) != std::string_view::npos &&
                       !(value && (c == '*' || c == '?'))) {
                throw ParseError(column(pos_),
                                 std::string("unquoted '") + c + std::string(kShellHint));
            } else {
                result += c;
                ++pos_;
            }
        }
        return result;
    }

    // A '$' sh keeps as it is: one that nothing follows in its word (or its quotes).
    bool literal_dollar(bool quoted) const {
        const char next = peek(1);
        return pos_ + 1 >= text_.size() || is_blank(next) || next == '\n' ||
               (quoted ? next == '"' : ends_word(next));
    }

    // ~ or ~user up to the first '/' (or ':' in a value): a home directory, as in sh. Any
    // quoting in the prefix makes it literal, as in sh.
    void tilde_prefix(std::string& out, bool value) {
        const auto tilde = pos_;
        auto end = tilde + 1;
        while (end < text_.size() && !ends_word(text_[end]) && text_[end] != '/' &&
               !(value && text_[end] == ':'))
            ++end;
        const auto user = text_.substr(tilde + 1, end - tilde - 1);
        if (user.find_first_of("'\"\\") != std::string_view::npos) {
            out += '~';
            ++pos_;
            return;
        }
        if (!is_user_name(user)) {
            throw ParseError(column(tilde),
                             "only '~' and '~user' are expanded here: this form needs --shell");
        }
        const auto home = home_directory(std::string(user));
        if (!home) {
            throw ParseError(column(tilde),
                             user.empty()
                                 ? "cannot expand '~': HOME is not set and this "
                                   "user has no password entry"
                                 : "cannot expand '~" + std::string(user) + "': no such user");
        }
        out += *home;
        pos_ = end;
    }

    // Calls `visit(i)` for each unquoted character of the word from `from` on, until it
    // returns true (then true) or the word ends (then false).
    template <typename Visit>
    bool any_unquoted_in_word(std::size_t from, Visit visit) const {
        for (auto i = from; i < text_.size() && !ends_word(text_[i]); ++i) {
            const char c = text_[i];
            if (c == '\\') {
                ++i;
            } else if (c == '\'' || c == '"') {
                auto close = i + 1;
                while (close < text_.size() && text_[close] != c)
                    close += c == '"' && text_[close] == '\\' ? 2 : 1;
                if (close >= text_.size()) return false;  // unterminated: reported by word()
                i = close;
            } else if (visit(i)) {
                return true;
            }
        }
        return false;
    }

    // bash expands a '{' whose matching '}' is in the same word when an unquoted ',' at its
    // level or a sequence (1..3, a..e) is between them; {} {.} {/} and a lone { stay.
    bool brace_expansion_at(std::size_t open) const {
        int depth = 0;
        bool comma = false;
        return any_unquoted_in_word(open, [&](std::size_t i) {
            if (text_[i] == '{') ++depth;
            if (text_[i] == ',' && depth == 1) comma = true;
            if (text_[i] != '}' || --depth != 0) return false;
            return comma || is_brace_sequence(text_.substr(open + 1, i - open - 1));
        });
    }

    // '[' with an unquoted ']' after it in the same word is a bracket glob; '[' alone (the
    // test command) or a '[' with no ']' after it is literal in sh too.
    bool closing_bracket_after(std::size_t open) const {
        return any_unquoted_in_word(open + 1, [&](std::size_t i) { return text_[i] == ']'; });
    }

    void single_quoted(std::string& out) {
        const auto open = pos_++;
        const auto close = text_.find('\'', pos_);
        if (close == std::string_view::npos) throw ParseError(column(open), "unterminated ' quote");
        out.append(text_.substr(pos_, close - pos_));
        pos_ = close + 1;
    }

    // Inside "…" a backslash escapes only " \ $ ` (as in sh); other characters are literal,
    // except the $ and ` that sh would expand.
    void double_quoted(std::string& out) {
        const auto open = pos_++;
        for (;;) {
            if (at_end()) throw ParseError(column(open), "unterminated \" quote");
            const char c = peek();
            if (c == '"') {
                ++pos_;
                return;
            }
            if ((c == '$' && !literal_dollar(true)) || c == '`') {
                throw ParseError(column(pos_), std::string("'") + c +
                                                   "' inside \"…\" needs --shell (no variables "
                                                   "or commands here; \\" +
                                                   c + " is a literal " + c + ")");
            }
            if (c == '\\' && kWindows) {
                windows_backslashes(out, "$`");
                continue;
            }
            ++pos_;
            if (c == '\\' && !at_end() &&
                std::string_view("\"\\$`").find(peek()) != std::string_view::npos) {
                out += text_[pos_++];
            } else {
                out += c;
            }
        }
    }

    // Windows (paths are written C:\dir\file): a run of backslashes at pos_ is taken as
    // CommandLineToArgvW takes it, literal unless a '"' follows: then 2n of them are n and
    // the quote opens or closes, 2n+1 are n and a literal '"'. The last one of a run also
    // escapes a character of `escapable` (sh syntax: \' \$ \| …, which the quoting of
    // forkline run's templates writes), never a blank, so `dir C:\ /s` is two words.
    void windows_backslashes(std::string& out, std::string_view escapable) {
        std::size_t run = 0;
        while (pos_ + run < text_.size() && text_[pos_ + run] == '\\') ++run;
        pos_ += run;
        const char next = at_end() ? '\0' : peek();
        if (next == '"') {
            out.append(run / 2, '\\');
            if (run % 2 == 1) out += text_[pos_++];
        } else if (next != '\0' && escapable.find(next) != std::string_view::npos) {
            out.append(run - 1, '\\');
            out += text_[pos_++];
        } else {
            out.append(run, '\\');
        }
    }

    std::string text_;                // the command, line continuations removed
    std::vector<std::size_t> joins_;  // positions in text_ where one was removed
    std::size_t pos_ = 0;
};

}  // namespace

std::vector<Stage> parse_pipeline(std::string_view command) {
    return Parser(command).parse();
}

}  // namespace forkline
