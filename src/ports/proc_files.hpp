// Small reads from /proc, where files vanish with their process and access may be refused:
// every failure is an errno value, never an exception.
#pragma once

#include <dirent.h>

#include <memory>
#include <optional>
#include <string>

namespace ports {

// The whole file; nullopt with `error` set (ENOENT, ESRCH, EACCES, …) if it cannot be read.
std::optional<std::string> read_proc_file(const std::string& path, int& error);

struct DirCloser {
    void operator()(DIR* dir) const { ::closedir(dir); }
};
using UniqueDir = std::unique_ptr<DIR, DirCloser>;

}  // namespace ports
