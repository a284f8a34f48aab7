// Process details from /proc (Linux).
#include "process_info.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <memory>
#include <string_view>

#include "os_error.hpp"
#include "proc_files.hpp"
#include "text_fields.hpp"
#include "user_names.hpp"

namespace ports {

namespace {

constexpr std::size_t kMaxCommandLine = 4096;

std::string proc_path(pid_t pid, const char* file) {
    return "/proc/" + std::to_string(pid) + "/" + file;
}

std::int64_t boot_time() {
    static const std::int64_t seconds = [] {
        int error = 0;
        const auto stat = read_proc_file("/proc/stat", error).value_or("");
        const auto at = stat.find("\nbtime ");
        if (at == std::string::npos) return std::int64_t{0};
        const auto end = stat.find('\n', at + 1);
        return parse_number<std::int64_t>(std::string_view(stat).substr(at + 7, end - at - 7))
            .value_or(0);
    }();
    return seconds;
}

// The effective uid: the second number of the "Uid:" line of /proc/PID/status.
std::optional<std::int64_t> effective_uid(std::string_view status) {
    const auto at = status.find("\nUid:");
    if (at == std::string_view::npos) return std::nullopt;
    const auto end = status.find('\n', at + 1);
    const auto words = words_of(status.substr(at + 5, end - at - 5), " \t");
    if (words.size() < 2) return std::nullopt;
    return parse_number<std::int64_t>(words[1]);
}

// /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so the
// fields are counted from the last ')'. fields[0] is field 3 of proc(5).
bool read_stat(std::string_view stat, ProcessInfo& info) {
    const auto close = stat.rfind(')');
    if (close == std::string_view::npos) return false;
    const auto fields = words_of(stat.substr(close + 1), " \n");
    if (fields.size() < 22) return false;
    static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    static const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    info.state = std::string(fields[0]);
    const auto utime = parse_number<std::uint64_t>(fields[11]);
    const auto stime = parse_number<std::uint64_t>(fields[12]);
    if (utime && stime) info.cpu_seconds = static_cast<double>(*utime + *stime) / ticks;
    info.threads = parse_number<unsigned>(fields[17]);
    if (const auto start = parse_number<std::uint64_t>(fields[19]))
        info.start_time =
            boot_time() + static_cast<std::int64_t>(static_cast<double>(*start) / ticks);
    if (const auto rss = parse_number<std::uint64_t>(fields[21])) info.rss_bytes = *rss * page;
    return true;
}

}  // namespace

std::optional<FdScan> scan_fds(pid_t pid) {
    const auto dir_path = proc_path(pid, "fd");
    const UniqueDir dir(::opendir(dir_path.c_str()));
    if (!dir) return std::nullopt;
    FdScan scan;
    constexpr std::string_view kSocket = "socket:[";
    char target[64];
    while (const auto* entry = ::readdir(dir.get())) {
        if (entry->d_name[0] == '.') continue;
        ++scan.count;
        const auto length = ::readlinkat(::dirfd(dir.get()), entry->d_name, target, sizeof target);
        if (length <= 0) continue;  // closed meanwhile
        const std::string_view link(target, static_cast<std::size_t>(length));
        if (!link.starts_with(kSocket) || !link.ends_with(']')) continue;
        if (const auto inode = parse_number<std::uint64_t>(
                link.substr(kSocket.size(), link.size() - kSocket.size() - 1)))
            scan.socket_inodes.push_back(*inode);
    }
    return scan;
}

std::optional<ProcessInfo> read_process_info(pid_t pid, std::optional<unsigned> open_fds) {
    int error = 0;
    const auto stat = read_proc_file(proc_path(pid, "stat"), error);
    const auto status = read_proc_file(proc_path(pid, "status"), error);
    const auto comm = read_proc_file(proc_path(pid, "comm"), error);
    if (!stat || !status || !comm) return std::nullopt;  // exited
    ProcessInfo info;
    info.pid = pid;
    if (!read_stat(*stat, info)) return std::nullopt;
    info.name = comm->substr(0, comm->find('\n'));
    if (const auto uid = effective_uid(*status)) info.user = user_name(*uid);
    auto command_line = read_proc_file(proc_path(pid, "cmdline"), error).value_or("");
    if (command_line.size() > kMaxCommandLine) command_line.resize(kMaxCommandLine);
    while (!command_line.empty() && command_line.back() == '\0') command_line.pop_back();
    for (auto& c : command_line) {
        if (c == '\0') c = ' ';
    }
    info.command_line = std::move(command_line);
    info.open_fds = open_fds;
    return info;
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
