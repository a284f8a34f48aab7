#include "proc_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "unique_fd.hpp"

namespace ports {

std::optional<std::string> read_proc_file(const std::string& path, int& error) {
    const forkline::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        error = errno;
        return std::nullopt;
    }
    std::string text;
    char buffer[4096];
    while (true) {
        const auto n = ::read(fd.get(), buffer, sizeof buffer);
        if (n == 0) return text;
        if (n < 0) {
            if (errno == EINTR) continue;
            error = errno;  // ESRCH: the process exited while we read
            return std::nullopt;
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
}

}  // namespace ports
