// One way to report a failed system call: std::system_error carrying errno and "call object".
#pragma once

#include <cerrno>
#include <string>
#include <system_error>

namespace forkline {

[[noreturn]] inline void throw_os_error(const std::string& what, int error = errno) {
    throw std::system_error(error, std::system_category(), what);
}

// Returns `result` unless it is -1, in which case it throws with errno.
template <typename T>
T check_os(T result, const std::string& what) {
    if (result == static_cast<T>(-1)) throw_os_error(what);
    return result;
}

}  // namespace forkline
