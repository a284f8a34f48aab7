#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "durable_file.hpp"

namespace run {

forkline::UniqueFd open_for_writing(const std::filesystem::path& path, OpenFor mode) {
    const int how = mode == OpenFor::replacing   ? O_TRUNC
                    : mode == OpenFor::appending ? O_APPEND
                                                 : O_APPEND | O_TRUNC;
    return forkline::UniqueFd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | how, 0644));
}

int sync_file_data(int fd) {
    // EINVAL: a pipe or terminal (--joblog /dev/stdout).
    return ::fdatasync(fd) == 0 || errno == EINVAL ? 0 : errno;
}

void sync_directory(const std::filesystem::path& directory) {
    // A directory that cannot be opened or synced (EINVAL on some file systems) leaves the
    // file's name to the file system's own schedule.
    const forkline::UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.valid()) ::fsync(fd.get());
}

int sync_file_system(int fd) {
    return ::syncfs(fd) == 0 ? 0 : errno;
}

}  // namespace run
