#include "terminal_screen.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "output.hpp"
#include "port_report.hpp"

namespace top {

namespace {

constexpr const char* kEnter = "\033[?1049h\033[?25l";  // alternate screen, cursor hidden
constexpr const char* kLeave = "\033[?25h\033[?1049l";

winsize terminal_size() {
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0 || size.ws_row == 0) size = {24, 80, 0, 0};
    return size;
}

}  // namespace

TerminalScreen::TerminalScreen() {
    termios settings{};
    if (::isatty(STDIN_FILENO) != 0 && ::tcgetattr(STDIN_FILENO, &settings) == 0) {
        saved_ = settings;
        settings.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
        settings.c_cc[VMIN] = 0;
        settings.c_cc[VTIME] = 0;
        keys_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &settings) == 0;
    }
    cli::write_all(STDOUT_FILENO, kEnter);
}

TerminalScreen::~TerminalScreen() {
    std::fflush(stdout);
    const std::string leave = kLeave;
    [[maybe_unused]] const auto written = ::write(STDOUT_FILENO, leave.data(), leave.size());
    if (saved_) ::tcsetattr(STDIN_FILENO, TCSANOW, &*saved_);
}

void TerminalScreen::draw(const std::vector<std::string>& lines,
                          std::optional<std::size_t> highlight, const std::string& status) {
    const auto size = terminal_size();
    const std::size_t rows = size.ws_row > 1 ? size.ws_row - 1u : 1u;
    std::string screen = "\033[H";
    // The view scrolls down as far as the selected line needs: k must act on a row in sight.
    const std::size_t first = highlight && *highlight >= rows ? *highlight - rows + 1 : 0;
    for (std::size_t i = first; i < lines.size() && i < first + rows; ++i) {
        const auto line = ports::cut_to_width(lines[i], size.ws_col);
        screen += highlight == i ? "\033[7m" + line + "\033[m" : line;
        screen += "\033[K\n";
    }
    screen += "\033[J\033[" + std::to_string(size.ws_row) + ";1H\033[7m" +
              ports::cut_to_width(status, size.ws_col) + "\033[K\033[m";
    std::fputs(screen.c_str(), stdout);
    cli::check_output(stdout);
}

std::vector<Key> TerminalScreen::read_keys() {
    std::vector<Key> keys;
    char bytes[64];
    const auto n = ::read(STDIN_FILENO, bytes, sizeof bytes);
    for (ssize_t i = 0; i < n; ++i) {
        switch (bytes[i]) {
            case 'q':
            case 'Q':
                keys.push_back(Key::quit);
                break;
            case 's':
                keys.push_back(Key::sort);
                break;
            case 'k':
                keys.push_back(Key::cancel);
                break;
            case 'p':
                keys.push_back(Key::pause);
                break;
            case '\033':  // ESC [ A / ESC [ B (or ESC O A/B): the arrows
                if (i + 2 < n && (bytes[i + 1] == '[' || bytes[i + 1] == 'O')) {
                    if (bytes[i + 2] == 'A') keys.push_back(Key::up);
                    if (bytes[i + 2] == 'B') keys.push_back(Key::down);
                    i += 2;
                }
                break;
            default:
                break;
        }
    }
    return keys;
}

}  // namespace top
