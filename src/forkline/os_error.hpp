// Failed system calls, reported one way: forkline::OsError (error.hpp), "WHAT: REASON".
#pragma once

#include <cerrno>
#include <forkline/error.hpp>
#include <string>

namespace forkline {

[[noreturn]] inline void throw_os_error(const std::string& what, int error = errno) {
    throw OsError(what, error);
}

// Returns `result` unless it is -1, in which case it throws with errno.
template <typename T>
T check_os(T result, const std::string& what) {
    if (result == static_cast<T>(-1)) throw_os_error(what);
    return result;
}

}  // namespace forkline
