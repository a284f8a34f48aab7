// The shared-memory segment that holds one pool's queues (layout.hpp).
//
// POSIX (segment_posix.cpp): the supervisor creates it (Boost.Interprocess, O_EXCL, mode
// 0600, an unpredictable name /forkline-<pid>-<random>) and hands its descriptor to each
// worker as fd 3 (respawned workers too), so nobody opens it by name: the supervisor
// removes the name right after creating it, and a crash later leaves nothing in /dev/shm.
// A crash inside that window leaves a name whose creator is dead, which the next
// supervisor's sweep removes.
//
// Windows (segment_windows.cpp): an unnamed pagefile-backed section (CreateFileMapping with
// no name), handed to each worker as an inherited HANDLE. It has no name to remove, squat
// or sweep, and dies with the last handle to it: a crash leaves nothing behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <forkline/native_handle.hpp>
#include <memory>
#include <string>

#include "layout.hpp"

namespace forkline {

// Typed access to a mapped segment; does not own the mapping.
class SegmentView {
  public:
    SegmentView() = default;
    SegmentView(std::byte* base, const layout::Geometry& geometry)
        : base_(base), geometry_(geometry), slot_mask_(geometry.slot_count - 1) {}

    layout::SegmentHeader& header() const {
        return *reinterpret_cast<layout::SegmentHeader*>(base_);
    }
    layout::Slot& slot(std::uint64_t position) const {
        return reinterpret_cast<layout::Slot*>(base_ +
                                               geometry_.slots_offset())[position & slot_mask_];
    }
    std::uint32_t lap(std::uint64_t position) const {
        return static_cast<std::uint32_t>(position / geometry_.slot_count);
    }
    layout::RingHeader& ring(std::uint32_t worker) const {
        return *reinterpret_cast<layout::RingHeader*>(ring_base(worker));
    }
    std::uint64_t* ring_entries(std::uint32_t worker) const {
        return reinterpret_cast<std::uint64_t*>(ring_base(worker) + sizeof(layout::RingHeader));
    }
    std::byte* job_data(std::uint64_t position) const {
        return base_ + geometry_.data_offset() + (position & slot_mask_) * geometry_.data_stride();
    }
    std::byte* result_data(std::uint64_t position) const {
        return job_data(position) + geometry_.max_job_size;
    }
    const layout::Geometry& geometry() const { return geometry_; }

  private:
    std::byte* ring_base(std::uint32_t worker) const {
        return base_ + geometry_.rings_offset() + std::size_t{worker} * geometry_.ring_stride();
    }

    std::byte* base_ = nullptr;
    layout::Geometry geometry_{};
    std::uint64_t slot_mask_ = 0;
};

// The supervisor's segment: created, initialised, and removed when destroyed.
class OwnedSegment {
  public:
    // Sweeps stale segments first, then creates a fresh one. Throws forkline::Error.
    static OwnedSegment create(const layout::Geometry& geometry);

    OwnedSegment(OwnedSegment&&) noexcept;
    OwnedSegment& operator=(OwnedSegment&&) noexcept;
    ~OwnedSegment();

    const std::string& name() const;  // Windows: empty (the section has none)
    // POSIX: an O_CLOEXEC descriptor; workers receive a dup of it as fd 3. Windows: a
    // section HANDLE, not inheritable; the launcher lets each worker inherit it.
    NativeHandle handle() const;
    const SegmentView& view() const;
    // Removes the name from /dev/shm; mappings and descriptors stay valid. Idempotent.
    // Windows: nothing to remove.
    void remove_name() noexcept;

  private:
    struct Impl;
    explicit OwnedSegment(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// A worker's mapping of a segment received as a descriptor (Windows: a section HANDLE),
// validated before any use: owner, permissions, size, magic, version and geometry must all
// agree (segment_windows.cpp says what Windows cannot check).
class AttachedSegment {
  public:
    // Throws forkline::Error naming what is wrong. The handle stays open (the caller's).
    static AttachedSegment attach(NativeHandle segment);

    AttachedSegment(AttachedSegment&&) noexcept;
    AttachedSegment& operator=(AttachedSegment&&) noexcept;
    AttachedSegment(const AttachedSegment&) = delete;
    AttachedSegment& operator=(const AttachedSegment&) = delete;
    ~AttachedSegment();

    const SegmentView& view() const { return view_; }

  private:
    AttachedSegment(void* address, std::size_t size, SegmentView view)
        : address_(address), size_(size), view_(view) {}
    // A mapping of `size` bytes, validated against `owner` (validate_header); unmapped and
    // thrown as "refusing segment: …" when it is wrong.
    static AttachedSegment validated(void* address, std::size_t size, std::uint32_t owner);
    static void unmap(void* address, std::size_t size) noexcept;  // munmap / UnmapViewOfFile
    void* address_ = nullptr;
    std::size_t size_ = 0;
    SegmentView view_;
};

// Writes a fresh header, slots and rings into `base` (zeroed memory of geometry's size).
// `owner`: the creator's uid (Windows: 0, the section's owner SID is checked instead).
void initialise_segment(std::byte* base, const layout::Geometry& geometry, std::uint32_t owner,
                        std::int32_t creator_pid);

// Checks a mapped header against the segment's real size and the caller's uid. Returns an
// empty string when valid, else what is wrong. Pure: usable on any bytes (fuzzed).
std::string validate_header(const void* bytes, std::size_t size, std::uint32_t expected_owner);

// Removes /dev/shm/forkline-<pid>-* entries of this user whose creator pid is gone.
// Returns how many were removed. Windows: 0 (sections have no names).
std::size_t sweep_stale_segments();

}  // namespace forkline
