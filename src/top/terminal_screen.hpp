// The full-screen view on a terminal: the alternate screen, no echo, keys read one by one;
// everything restored when the object goes (a normal end, q, SIGINT, SIGTERM, an error
// thrown through it). Lines are drawn in place, each cut to the terminal's width.
#pragma once

#include <termios.h>

#include <optional>
#include <string>
#include <vector>

namespace top {

enum class Key { none, quit, sort, cancel, pause, up, down };

class TerminalScreen {
  public:
    // stdout must be a terminal; keys are read when stdin is one too.
    TerminalScreen();
    ~TerminalScreen();
    TerminalScreen(const TerminalScreen&) = delete;
    TerminalScreen& operator=(const TerminalScreen&) = delete;

    // Draws `lines` from the top, the one at `highlight` (if any) in reverse video, and
    // `status` on the last row; what does not fit is left out, the first lines rather than
    // the highlighted one when it would fall below the screen.
    void draw(const std::vector<std::string>& lines, std::optional<std::size_t> highlight,
              const std::string& status);

    // The descriptor to poll for keys; -1 when stdin is no terminal.
    int key_fd() const { return keys_ ? 0 : -1; }
    // The keys waiting on stdin (call when key_fd() is readable).
    std::vector<Key> read_keys();

  private:
    std::optional<termios> saved_;  // stdin's settings, when it is a terminal
    bool keys_ = false;
};

}  // namespace top
