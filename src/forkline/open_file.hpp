// Opening a file by name for reading: the platform-specific flags in one place.
#pragma once

#include <string>

#include "unique_fd.hpp"

namespace forkline {

// `path` (UTF-8) opened read-only, not inherited by child processes, its bytes as they are
// (POSIX: O_CLOEXEC; Windows: _O_NOINHERIT, binary mode, the name converted to UTF-16).
// An invalid UniqueFd, errno set, when it cannot be opened.
UniqueFd open_for_reading(const std::string& path);

}  // namespace forkline
