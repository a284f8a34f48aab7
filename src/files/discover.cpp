#include "discover.hpp"

#include <fnmatch.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace files {

namespace fs = std::filesystem;

const char* to_string(FileStatus status) {
    switch (status) {
        case FileStatus::ok:
            return "ok";
        case FileStatus::binary:
            return "binary";
        case FileStatus::skipped:
            return "skipped";
        case FileStatus::failed:
            return "failed";
    }
    return "?";
}

namespace {

bool matches(const std::vector<std::string>& patterns, const std::string& name) {
    if (patterns.empty()) return true;
    return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
        return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
    });
}

FileEntry failed(std::string path, std::string reason) {
    return {std::move(path), 0, FileStatus::failed, std::move(reason)};
}

FileEntry skipped(std::string path, std::string reason) {
    return {std::move(path), 0, FileStatus::skipped, std::move(reason)};
}

// File systems whose files are made as they are read: their sizes (0 on /proc, 4096 on
// /sys) say nothing of the content, so such files are read to end of file.
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

// A regular file: split by its size, or read to end of file when the size says nothing.
FileEntry regular(std::string path, const struct stat& st, bool pseudo_fs) {
    const auto reading = st.st_size == 0 || pseudo_fs ? Reading::to_eof : Reading::range;
    return {std::move(path), static_cast<std::uint64_t>(st.st_size), FileStatus::ok, {}, reading};
}

void walk(const std::string& dir, const std::vector<std::string>& patterns,
          std::vector<FileEntry>& out) {
    std::error_code ec;
    std::vector<fs::path> children;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        children.push_back(it->path());
    if (ec) {
        out.push_back(failed(dir, "cannot list directory: " + ec.message()));
        return;
    }
    std::sort(children.begin(), children.end());
    const bool pseudo_fs = sizes_are_made_up(dir);  // once per directory, not per file
    for (const auto& child : children) {
        const std::string path = child.string();
        struct stat link {};
        struct stat target {};
        if (::lstat(path.c_str(), &link) != 0) {
            out.push_back(failed(path, std::strerror(errno)));  // vanished meanwhile
            continue;
        }
        if (S_ISDIR(link.st_mode)) {
            walk(path, patterns, out);
            continue;
        }
        if (!matches(patterns, child.filename().string())) continue;
        if (::stat(path.c_str(), &target) != 0) {
            out.push_back(failed(path, std::strerror(errno)));  // dangling symlink
        } else if (S_ISDIR(target.st_mode)) {
            out.push_back(skipped(path, "symlink to a directory, not followed"));
        } else if (S_ISFIFO(target.st_mode)) {
            out.push_back(skipped(path, "FIFO, read only when named"));
        } else if (!S_ISREG(target.st_mode)) {
            out.push_back(skipped(path, "not a regular file"));
        } else {
            out.push_back(regular(path, target, pseudo_fs));
        }
    }
}

}  // namespace

std::vector<FileEntry> discover(const std::vector<std::string>& paths,
                                const std::vector<std::string>& patterns) {
    std::vector<FileEntry> out;
    for (const auto& path : paths) {
        struct stat st {};
        if (path == "-") {
            out.push_back({path, 0, FileStatus::ok, {}, Reading::stream});
        } else if (::stat(path.c_str(), &st) != 0) {
            out.push_back(failed(path, std::strerror(errno)));
        } else if (S_ISDIR(st.st_mode)) {
            walk(path, patterns, out);
        } else if (S_ISFIFO(st.st_mode)) {
            out.push_back({path, 0, FileStatus::ok, {}, Reading::stream});
        } else if (!S_ISREG(st.st_mode)) {
            out.push_back(skipped(path, "not a regular file"));
        } else {
            out.push_back(regular(path, st, sizes_are_made_up(path)));
        }
    }
    return out;
}

std::vector<PlannedChunk> plan_chunks(const std::vector<FileEntry>& entries,
                                      std::uint64_t chunk_size) {
    std::vector<PlannedChunk> chunks;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const FileEntry& e = entries[i];
        if (e.status != FileStatus::ok) continue;
        if (e.reading != Reading::range) {  // one piece, read to end of file
            chunks.push_back({i, 0, 0});
            continue;
        }
        const std::uint64_t count =
            std::clamp<std::uint64_t>((e.size + chunk_size - 1) / chunk_size, 1, kMaxChunksPerFile);
        // Equal parts, so the last one is not a sliver: the first `longer` ones get one byte
        // more. (Not size * k / count, which overflows for large sizes and small chunks.)
        const std::uint64_t base = e.size / count;
        const std::uint64_t longer = e.size % count;
        for (std::uint64_t k = 0, begin = 0; k < count; ++k) {
            const std::uint64_t length = base + (k < longer ? 1 : 0);
            chunks.push_back({i, begin, length});
            begin += length;
        }
    }
    return chunks;
}

}  // namespace files
