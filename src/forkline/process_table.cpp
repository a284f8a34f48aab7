#include "process_table.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <sstream>

#include "unique_fd.hpp"

namespace forkline {

namespace {

// Reads a small /proc file whole; false if it cannot be read (the process is gone).
bool read_small_file(const std::string& path, std::string& into) {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return false;
    into.clear();
    char buffer[4096];
    for (;;) {
        const auto n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) return false;
        if (n == 0) return true;
        into.append(buffer, static_cast<std::size_t>(n));
    }
}

bool parse_number(std::string_view text, pid_t& value) {
    return !text.empty() &&
           std::from_chars(text.data(), text.data() + text.size(), value).ec == std::errc{};
}

// "PID (COMM) STATE PPID PGRP … UTIME STIME … STARTTIME VSIZE RSS …" (fields 14, 15, 22
// and 24): COMM may hold spaces and parentheses, so parse from the last ')'.
bool parse_stat(pid_t pid, const std::string& stat, ProcessEntry& entry) {
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return false;
    std::istringstream rest(stat.substr(close + 1));
    long parent = 0;
    long group = 0;
    entry.pid = pid;
    if (!(rest >> entry.state >> parent >> group)) return false;
    entry.parent = static_cast<pid_t>(parent);
    entry.group = static_cast<pid_t>(group);
    std::string skipped;
    unsigned long long user = 0;
    unsigned long long system = 0;
    for (int field = 6; field < 14; ++field) {
        if (!(rest >> skipped)) return false;
    }
    if (!(rest >> user >> system)) return false;
    entry.cpu_ticks = user + system;
    for (int field = 16; field < 22; ++field) {
        if (!(rest >> skipped)) return false;
    }
    return static_cast<bool>(rest >> entry.start_time >> skipped >> entry.rss_pages);
}

}  // namespace

std::vector<ProcessEntry> list_processes() {
    std::vector<ProcessEntry> processes;
    std::error_code error;
    std::string stat;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
        const auto name = entry.path().filename().string();
        pid_t pid = 0;
        ProcessEntry process{};
        if (parse_number(name, pid) && read_small_file("/proc/" + name + "/stat", stat) &&
            parse_stat(pid, stat, process)) {
            processes.push_back(process);
        }
    }
    return processes;
}

std::optional<ProcessEntry> read_process(pid_t pid) {
    std::string stat;
    ProcessEntry process{};
    if (!read_small_file("/proc/" + std::to_string(pid) + "/stat", stat) ||
        !parse_stat(pid, stat, process))
        return std::nullopt;
    return process;
}

std::vector<pid_t> children_of_this_process() {
    std::vector<pid_t> children;
    std::error_code error;
    std::string text;
    bool readable = false;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
        if (!read_small_file(task.path() / "children", text)) continue;
        readable = true;
        std::istringstream words(text);
        for (pid_t pid = 0; words >> pid;) children.push_back(pid);
    }
    if (readable) return children;
    const pid_t self = ::getpid();
    for (const auto& process : list_processes()) {
        if (process.parent == self) children.push_back(process.pid);
    }
    return children;
}

}  // namespace forkline
