// Discovery's questions to Linux: stat, statfs, std::filesystem's directory walk, fnmatch.
#include <fnmatch.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "file_system.hpp"

namespace files {

std::optional<FileFacts> file_facts(const std::string& path, bool follow, std::string& error) {
    struct stat st {};
    if ((follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) {
        error = std::strerror(errno);
        return std::nullopt;
    }
    FileFacts facts;
    if (S_ISREG(st.st_mode)) {
        facts = {FileKind::regular, static_cast<std::uint64_t>(st.st_size)};
    } else if (S_ISDIR(st.st_mode)) {
        facts.kind = FileKind::directory;
    } else if (S_ISFIFO(st.st_mode)) {
        facts.kind = FileKind::fifo;
    } else if (S_ISLNK(st.st_mode)) {
        facts.kind = FileKind::symlink;
    }
    return facts;
}

std::optional<std::vector<std::string>> directory_names(const std::string& dir,
                                                        std::string& error) {
    std::error_code ec;
    std::vector<std::string> names;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        names.push_back(it->path().filename().string());
    if (ec) {
        error = ec.message();
        return std::nullopt;
    }
    return names;
}

bool sizes_are_made_up(const std::string& path) {
    struct statfs fs {};
    if (::statfs(path.c_str(), &fs) != 0) return false;
    switch (fs.f_type) {
        case PROC_SUPER_MAGIC:
        case SYSFS_MAGIC:
        case DEBUGFS_MAGIC:
        case TRACEFS_MAGIC:
        case SECURITYFS_MAGIC:
        case CGROUP_SUPER_MAGIC:
        case CGROUP2_SUPER_MAGIC:
            return true;
        default:
            return false;
    }
}

bool name_matches(const std::string& pattern, const std::string& name) {
    return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

}  // namespace files
