// parse_pipeline(): a small hand-written lexer. Each stage is a list of words and
// redirections; '|' ends a stage. Positions in errors are 1-based columns.
#include <forkline/pipeline.hpp>

namespace forkline {

namespace {

constexpr std::string_view kNeedsShell = ";&$`()*?";

class Parser {
  public:
    explicit Parser(std::string_view text) : text_(text) {}

    std::vector<Stage> parse() {
        if (const auto nul = text_.find('\0'); nul != std::string_view::npos) {
            throw ParseError(column(nul), "a NUL byte cannot be passed to a program");
        }
        std::vector<Stage> stages;
        Stage stage;
        std::size_t stage_start = 0;
        for (;;) {
            skip_blanks();
            if (peek() == '\n' && !only_blanks_left()) {
                throw ParseError(column(pos_), "a newline between commands needs --shell");
            }
            if (at_end() || peek() == '|' || peek() == '\n') {
                if (stage.argv.empty()) {
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
            stage.argv.push_back(word());
        }
    }

  private:
    bool at_end() const { return pos_ >= text_.size(); }
    char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }
    static std::size_t column(std::size_t pos) { return pos + 1; }
    // A newline is not a blank: it would separate commands, which needs a shell.
    static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
    static bool ends_word(char c) {
        return is_blank(c) || c == '\n' || c == '|' || c == '<' || c == '>';
    }
    bool only_blanks_left() const {
        return text_.find_first_not_of(" \t\r\n", pos_) == std::string_view::npos;
    }

    void skip_blanks() {
        while (!at_end() && is_blank(peek())) ++pos_;
    }

    // An operator at pos_ (2>, 2>>, 2>&1 only when "2" starts the word, as in sh).
    std::optional<Redirect> redirect_operator() {
        const auto start = pos_;
        Redirect::Kind kind;
        if (peek() == '<') {
            if (peek(1) == '<')
                throw ParseError(column(start), "'<<' (here-document) needs --shell");
            kind = Redirect::Kind::input;
            pos_ += 1;
        } else if (peek() == '>') {
            const bool append = peek(1) == '>';
            kind = append ? Redirect::Kind::append_output : Redirect::Kind::output;
            pos_ += append ? 2 : 1;
        } else if (peek() == '2' && peek(1) == '>') {
            if (peek(2) == '&') {
                if (peek(3) != '1' || !(pos_ + 4 >= text_.size() || ends_word(peek(4)))) {
                    throw ParseError(column(start),
                                     "only '2>&1' is supported among descriptor duplications");
                }
                pos_ += 4;
                return Redirect{Redirect::Kind::error_to_output, {}};
            }
            const bool append = peek(2) == '>';
            kind = append ? Redirect::Kind::append_error : Redirect::Kind::error;
            pos_ += append ? 3 : 2;
        } else {
            return std::nullopt;
        }
        if (peek() == '&' || peek() == '|') {
            throw ParseError(
                column(pos_),
                "'" + std::string(text_.substr(start, pos_ - start + 1)) + "' needs --shell");
        }
        skip_blanks();
        if (at_end() || ends_word(peek())) {
            throw ParseError(column(start), "'" + std::string(text_.substr(start, pos_ - start)) +
                                                "' needs a file name after it");
        }
        return Redirect{kind, word()};
    }

    std::string word() {
        std::string result;
        while (!at_end() && !ends_word(peek())) {
            const char c = peek();
            if (c == '\'') {
                single_quoted(result);
            } else if (c == '"') {
                double_quoted(result);
            } else if (c == '\\') {
                if (pos_ + 1 >= text_.size())
                    throw ParseError(column(pos_), "backslash at the end of the command");
                result += text_[pos_ + 1];
                pos_ += 2;
            } else if (kNeedsShell.find(c) != std::string_view::npos) {
                throw ParseError(
                    column(pos_),
                    std::string("unquoted '") + c +
                        "' needs --shell (no globbing, variables or command lists here)");
            } else {
                result += c;
                ++pos_;
            }
        }
        return result;
    }

    void single_quoted(std::string& out) {
        const auto open = pos_++;
        const auto close = text_.find('\'', pos_);
        if (close == std::string_view::npos) throw ParseError(column(open), "unterminated ' quote");
        out.append(text_.substr(pos_, close - pos_));
        pos_ = close + 1;
    }

    // Inside "…" a backslash escapes only " \ $ ` (as in sh); other characters are literal.
    void double_quoted(std::string& out) {
        const auto open = pos_++;
        for (;;) {
            if (at_end()) throw ParseError(column(open), "unterminated \" quote");
            const char c = text_[pos_++];
            if (c == '"') return;
            if (c == '\\' && !at_end() &&
                std::string_view("\"\\$`").find(peek()) != std::string_view::npos) {
                out += text_[pos_++];
            } else {
                out += c;
            }
        }
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

std::vector<Stage> parse_pipeline(std::string_view command) {
    return Parser(command).parse();
}

}  // namespace forkline
