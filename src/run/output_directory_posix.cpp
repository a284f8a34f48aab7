#include "output_directory.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <forkline/error.hpp>
#include <string_view>

#include "os_error.hpp"
#include "process_table.hpp"
#include "tool.hpp"

namespace run {

namespace {

std::filesystem::path temporary_directory() {
    const char* tmp = std::getenv("TMPDIR");
    return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

// The creator PID (started at START) is gone: no such process, a zombie, or the pid now
// names a process started at another time. Unknown (its /proc entry unreadable) counts as
// alive: not ours to judge.
bool creator_gone(pid_t pid, std::string_view start) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    const auto process = forkline::read_process(pid);
    return process && (process->state == 'Z' || std::to_string(process->start_time) != start);
}

}  // namespace

std::optional<std::string> run_directory_stem(pid_t pid) {
    const auto process = forkline::read_process(pid);
    if (!process) return std::nullopt;
    return std::string(kRunDirectoryPrefix) + std::to_string(pid) + "-" +
           std::to_string(process->start_time) + "-";
}

std::size_t sweep_dead_run_directories(const std::filesystem::path& parent) {
    std::size_t removed = 0;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(parent, ignored)) {
        const auto name = entry.path().filename().string();
        pid_t pid = 0;
        std::string_view start;
        if (!parse_run_directory_name(name, pid, start)) continue;
        struct stat info {};
        // lstat: a symbolic link is never followed, let alone emptied.
        if (::lstat(entry.path().c_str(), &info) != 0 || !S_ISDIR(info.st_mode) ||
            info.st_uid != ::geteuid())
            continue;
        if (!creator_gone(pid, start)) continue;
        std::error_code error;
        std::filesystem::remove_all(entry.path(), error);
        if (!error) ++removed;
    }
    return removed;
}

OutputDirectory::OutputDirectory() {
    const auto parent = temporary_directory();
    sweep_dead_run_directories(parent);
    const auto stem = run_directory_stem(::getpid());
    if (!stem) throw forkline::Error("cannot read /proc/self/stat (is /proc mounted?)");
    auto pattern = (parent / (*stem + "XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        forkline::throw_os_error("cannot create a directory for job outputs in " +
                                 cli::quoted(parent.string()));
    }
    path_ = pattern;
}

}  // namespace run
