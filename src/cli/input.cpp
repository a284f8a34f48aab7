#include "input.hpp"

#include <unistd.h>

#include <cerrno>

#include "open_file.hpp"
#include "os_error.hpp"
#include "tool.hpp"
#include "unique_fd.hpp"

namespace cli {

std::string read_input(const std::string& path) {
    const bool is_stdin = path == "-";
    const auto fail = [&] {
        forkline::throw_os_error("cannot read " +
                                 (is_stdin ? std::string("standard input") : quoted(path)));
    };
    forkline::UniqueFd file;
    if (!is_stdin) {
        file = forkline::open_for_reading(path);
        if (!file.valid()) fail();
    }
    const int fd = is_stdin ? STDIN_FILENO : file.get();
    std::string contents;
    char buffer[65536];
    for (;;) {
        const auto n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail();
        if (n == 0) return contents;
        contents.append(buffer, static_cast<std::size_t>(n));
    }
}

}  // namespace cli
