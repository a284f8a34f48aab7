#include <fcntl.h>
#include <io.h>

#include "standard_fds.hpp"

namespace forkline {

void ensure_standard_fds() {
    for (int fd = 0; fd <= 2; ++fd) {
        // As on POSIX: _open takes the lowest free number, this very fd, and NUL is opened
        // the wrong way round so that using it fails as the closed descriptor would.
        if (::_get_osfhandle(fd) == -1) ::_open("NUL", fd == 0 ? _O_WRONLY : _O_RDONLY);
        // Bytes pass as they are, as on POSIX: no "\n" -> "\r\n" on output, no "\r\n" ->
        // "\n" nor Ctrl-Z as the end on input.
        ::_setmode(fd, _O_BINARY);
    }
}

}  // namespace forkline
