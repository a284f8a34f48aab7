#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>

#include <cerrno>

#include "durable_file.hpp"

namespace run {

forkline::UniqueFd open_for_writing(const std::filesystem::path& path, OpenFor mode) {
    const int how = mode == OpenFor::replacing   ? _O_TRUNC
                    : mode == OpenFor::appending ? _O_APPEND
                                                 : _O_APPEND | _O_TRUNC;
    return forkline::UniqueFd(::_wopen(
        path.c_str(), _O_WRONLY | _O_CREAT | _O_BINARY | _O_NOINHERIT | how, _S_IREAD | _S_IWRITE));
}

int sync_file_data(int fd) {
    // EBADF for a pipe or console (--joblog CON): nothing to make durable.
    return ::_commit(fd) == 0 || errno == EBADF || errno == EINVAL ? 0 : errno;
}

void sync_directory(const std::filesystem::path&) {}

int sync_file_system(int fd) {
    return sync_file_data(fd);
}

}  // namespace run
