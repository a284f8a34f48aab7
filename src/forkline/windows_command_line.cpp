#include "windows_command_line.hpp"

namespace forkline {

std::string windows_quoted_text(std::string_view word, bool quote_follows) {
    std::string quoted;
    std::size_t backslashes = 0;
    for (const char c : word) {
        if (c == '\\') {
            ++backslashes;
            continue;
        }
        // Backslashes are literal unless a '"' follows: then each is doubled, plus one for
        // the '"' itself.
        quoted.append(c == '"' ? 2 * backslashes + 1 : backslashes, '\\');
        backslashes = 0;
        quoted += c;
    }
    quoted.append(quote_follows ? 2 * backslashes : backslashes, '\\');
    return quoted;
}

std::string quote_windows_argument(std::string_view word) {
    if (!word.empty() && word.find_first_of(" \t\n\v\"") == std::string_view::npos)
        return std::string(word);
    std::string quoted = "\"";  // appended, not "\"" + …: GCC 12 warns falsely (-Wrestrict)
    quoted += windows_quoted_text(word);
    quoted += '"';
    return quoted;
}

std::string escape_for_cmd(std::string_view text) {
    std::string escaped;
    for (const char c : text) {
        if (std::string_view("()%!^\"<>&|").find(c) != std::string_view::npos) escaped += '^';
        escaped += c;
    }
    return escaped;
}

std::vector<std::string> split_windows_arguments(std::string_view arguments) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;  // an empty "" is a word too
    bool quoted = false;
    std::size_t backslashes = 0;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const char c = arguments[i];
        if (c == '\\') {
            ++backslashes;
            in_word = true;
            continue;
        }
        if (c == '"') {
            word.append(backslashes / 2, '\\');
            in_word = true;
            if (backslashes % 2 == 1) {
                word += '"';
            } else if (quoted && i + 1 < arguments.size() && arguments[i + 1] == '"') {
                word += '"';
                ++i;
            } else {
                quoted = !quoted;
            }
            backslashes = 0;
            continue;
        }
        word.append(backslashes, '\\');
        backslashes = 0;
        if (!quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\v')) {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
            continue;
        }
        word += c;
        in_word = true;
    }
    word.append(backslashes, '\\');
    if (in_word) words.push_back(std::move(word));
    return words;
}

std::string quote_windows_program(std::string_view program) {
    if (!program.empty() && program.find_first_of(" \t") == std::string_view::npos)
        return std::string(program);
    std::string quoted = "\"";  // appended, not "\"" + …: GCC 12 warns falsely (-Wrestrict)
    quoted += program;
    quoted += '"';
    return quoted;
}

std::string windows_command_line(std::string_view program, const std::vector<std::string>& args) {
    std::string line = quote_windows_program(program);
    for (const auto& arg : args) {
        line += ' ';
        line += quote_windows_argument(arg);
    }
    return line;
}

}  // namespace forkline
