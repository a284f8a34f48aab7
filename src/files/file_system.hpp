// What discovery asks the OS: a path's kind and size, a directory's entries, whether a file
// system makes its sizes up, whether a name matches a pattern. file_system_posix.cpp asks
// stat/statfs/fnmatch, file_system_windows.cpp std::filesystem on wide paths and its own
// matcher. Failures are a reason (strerror's words on Linux), never an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace files {

enum class FileKind { regular, directory, fifo, symlink, other };

struct FileFacts {
    FileKind kind = FileKind::other;
    std::uint64_t size = 0;  // regular files
};

// stat(2) (`follow` symlinks) or lstat(2); nullopt with `error` the reason.
std::optional<FileFacts> file_facts(const std::string& path, bool follow, std::string& error);

// The names in `dir` (no "." or ".."), in the OS's order; nullopt with `error` the reason.
std::optional<std::vector<std::string>> directory_names(const std::string& dir, std::string& error);

// File systems whose files are made as they are read (/proc, /sys on Linux; none on
// Windows): their sizes say nothing of the content, so such files are read to end of file.
bool sizes_are_made_up(const std::string& path);

// fnmatch(pattern, name, 0): *, ?, [...] (with ! or ^, ranges), \ quoting the next character.
bool name_matches(const std::string& pattern, const std::string& name);

}  // namespace files
