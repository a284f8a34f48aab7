#include "attached_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <forkline/error.hpp>
#include <utility>

#include "os_error.hpp"

namespace top {

namespace {

forkline::UniqueFd open_pidfd(pid_t pid) {
    return forkline::UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

}  // namespace

AttachedPool AttachedPool::attach(const FoundPool& pool) {
    const auto name = "pool " + std::to_string(pool.supervisor);
    AttachedPool attached;
    attached.supervisor_ = pool.supervisor;
    attached.segment_ = pool.segment;
    // First the pidfd, then the descriptor: a segment still held proves the pidfd is the
    // supervisor's and not a later process's with its pid.
    attached.pidfd_ = open_pidfd(pool.supervisor);
    if (!attached.pidfd_.valid()) forkline::throw_os_error("cannot watch " + name);
    const auto path = "/proc/" + std::to_string(pool.holder) + "/fd/" + std::to_string(pool.fd);
    const forkline::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        forkline::throw_os_error("cannot open the segment of " + name +
                                 (errno == EACCES ? " (only its own user or root may)" : ""));
    }
    struct stat info {};
    forkline::check_os(::fstat(fd.get(), &info), "cannot read the segment of " + name);
    if (info.st_uid != ::geteuid() && ::geteuid() != 0)
        throw forkline::Error(name + " belongs to another user");
    const auto size = static_cast<std::size_t>(info.st_size);
    attached.address_ = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd.get(), 0);
    if (attached.address_ == MAP_FAILED) {
        attached.address_ = nullptr;
        forkline::throw_os_error("cannot map the segment of " + name);
    }
    attached.size_ = size;
    const auto problem = forkline::validate_header(attached.address_, size, info.st_uid);
    if (!problem.empty()) {
        throw forkline::Error("cannot read " + name + ": " + problem +
                              " (started by another version of forkline?)");
    }
    const auto& header = *static_cast<const forkline::layout::SegmentHeader*>(attached.address_);
    attached.view_ = forkline::SegmentView(
        static_cast<std::byte*>(attached.address_),
        {header.slot_count, header.worker_count, header.max_job_size, header.max_result_size});
    return attached;
}

AttachedPool::AttachedPool(AttachedPool&& other) noexcept
    : supervisor_(other.supervisor_),
      segment_(std::move(other.segment_)),
      pidfd_(std::move(other.pidfd_)),
      address_(std::exchange(other.address_, nullptr)),
      size_(other.size_),
      view_(other.view_) {}

AttachedPool& AttachedPool::operator=(AttachedPool&& other) noexcept {
    if (this != &other) {
        unmap();
        supervisor_ = other.supervisor_;
        segment_ = std::move(other.segment_);
        pidfd_ = std::move(other.pidfd_);
        address_ = std::exchange(other.address_, nullptr);
        size_ = other.size_;
        view_ = other.view_;
    }
    return *this;
}

AttachedPool::~AttachedPool() {
    unmap();
}

void AttachedPool::unmap() noexcept {
    if (address_ != nullptr) ::munmap(address_, size_);
    address_ = nullptr;
}

bool AttachedPool::ended() const {
    pollfd exit{pidfd_.get(), POLLIN, 0};
    return ::poll(&exit, 1, 0) > 0;
}

}  // namespace top
