// test_worker's OS calls: test_worker_os_posix.cpp, test_worker_os_windows.cpp.
#pragma once

#include <cstdint>

namespace test_worker {

// Descriptors (Windows: handles) a program this worker runs would inherit besides 0, 1, 2
// (POSIX: those without FD_CLOEXEC; Windows: those marked inheritable). The worker's own,
// such as the supervisor's wake, must not be among them.
std::uint64_t inheritable_handles();

std::uint64_t process_id();

}  // namespace test_worker
