// A pool's segment mapped read-only, reached through a descriptor its supervisor holds
// (pool_discovery.hpp): /proc/PID/fd/N is opened O_RDONLY, which the kernel allows only to
// the process's own user or root (the ptrace access check), and the segment is 0600 as
// ever. Nothing is ever written into it and no lock is taken: what is read is a snapshot
// (layout.hpp, PoolCounters). The supervisor's pidfd tells when the pool has ended.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "pool_discovery.hpp"
#include "segment.hpp"
#include "unique_fd.hpp"

namespace top {

class AttachedPool {
  public:
    // Throws forkline::Error naming the pool and what is wrong: gone, another user's, a
    // segment of another protocol version (a pool started by another forkline).
    static AttachedPool attach(const FoundPool& pool);

    AttachedPool(AttachedPool&&) noexcept;
    AttachedPool& operator=(AttachedPool&&) noexcept;
    ~AttachedPool();

    pid_t supervisor() const { return supervisor_; }
    const std::string& segment() const { return segment_; }
    // Read-only: the view's references are to memory mapped PROT_READ.
    const forkline::SegmentView& view() const { return view_; }
    // Readable once the supervisor has exited (or was killed): the pool has ended.
    int ended_fd() const { return pidfd_.get(); }
    bool ended() const;

  private:
    AttachedPool() = default;
    void unmap() noexcept;

    pid_t supervisor_ = 0;
    std::string segment_;
    forkline::UniqueFd pidfd_;
    void* address_ = nullptr;
    std::size_t size_ = 0;
    forkline::SegmentView view_;
};

}  // namespace top
