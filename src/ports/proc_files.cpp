#include "proc_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <memory>
#include "os_error.hpp"

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

std::vector<pid_t> list_pids() {
    const UniqueDir dir(::opendir("/proc"));
    if (!dir) forkline::throw_os_error("cannot read /proc");
    std::vector<pid_t> pids;
    while (const auto* entry = ::readdir(dir.get())) {
        const std::string_view name = entry->d_name;
        pid_t pid = 0;
        const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), pid);
        if (error == std::errc{} && end == name.data() + name.size()) pids.push_back(pid);
    }
    return pids;
}

}  // namespace ports
