// A POSIX worker's OS calls (serve_segment.hpp).
#include <fcntl.h>
#include <unistd.h>

#include "job_group_record.hpp"
#include "serve_segment.hpp"

namespace forkline {

// Inherited without O_CLOEXEC: moved to a close-on-exec copy so the job's processes do not
// inherit it.
NativeHandle keep_inherited_handle(std::uint64_t value) {
    const auto inherited = static_cast<int>(value);
    const int fd = ::fcntl(inherited, F_DUPFD_CLOEXEC, 0);
    ::close(inherited);
    return fd;
}

NativeHandle inherited_segment(std::uint64_t value) {
    return static_cast<int>(value);
}

void close_native_handle(NativeHandle handle) {
    ::close(handle);
}

std::int32_t this_process_id() {
    return ::getpid();
}

void record_job_groups(std::atomic<std::int32_t>* record) {
    record_job_groups_in(record);
}

}  // namespace forkline
