// The files `forkline run` writes (the joblog, --results files): opened with the platform's
// flags and made durable, the OS calls behind a platform-free interface.
#pragma once

#include <filesystem>

#include "unique_fd.hpp"

namespace run {

enum class OpenFor {
    replacing,           // created, or truncated
    appending,           // created, or added to: each write goes to the end (O_APPEND)
    appending_to_empty,  // created, or truncated, and each write goes to the end
};

// `path` opened write-only, not inherited by child processes, its bytes as written (no
// newline translation on Windows). An invalid UniqueFd, errno set, when it cannot be.
forkline::UniqueFd open_for_writing(const std::filesystem::path& path, OpenFor mode);

// Makes the data written to `fd` durable (fdatasync; Windows: _commit, FlushFileBuffers).
// 0, or errno; a pipe or terminal has nothing to make durable and gives 0.
int sync_file_data(int fd);

// Best effort: makes a new file's name in `directory` durable (fsync of the directory;
// Windows: nothing to do, NTFS journals its directories).
void sync_directory(const std::filesystem::path& directory);

// Makes everything written on `fd`'s file system durable (syncfs; Windows: only `fd`'s file,
// as a whole volume can be flushed by an administrator only). 0, or errno.
int sync_file_system(int fd);

}  // namespace run
