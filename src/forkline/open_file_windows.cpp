#include <fcntl.h>
#include <io.h>

#include <cerrno>
#include <filesystem>

#include "open_file.hpp"
#include "utf16.hpp"

namespace forkline {

UniqueFd open_for_reading(const std::string& path) {
    const auto wide = widen(path);
    const int fd = ::_wopen(wide.c_str(), _O_RDONLY | _O_BINARY | _O_NOINHERIT);
    // msvcrt says EACCES for a directory; POSIX (and the messages users see) EISDIR.
    std::error_code ignored;
    if (fd < 0 && errno == EACCES && std::filesystem::is_directory(wide, ignored)) errno = EISDIR;
    return UniqueFd(fd);
}

}  // namespace forkline
