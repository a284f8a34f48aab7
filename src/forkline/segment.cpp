// The platform-free part of a segment: its initial contents and their validation.
#include "segment.hpp"

#include <cstring>
#include <forkline/error.hpp>
#include <new>
#include <utility>

namespace forkline {

void initialise_segment(std::byte* base, const layout::Geometry& geometry, std::uint32_t owner,
                        std::int32_t creator_pid) {
    auto* header = new (base) layout::SegmentHeader{};
    header->magic = layout::kMagic;
    header->version = layout::kVersion;
    header->header_size = sizeof(layout::SegmentHeader);
    header->total_size = geometry.total_size();
    header->slot_count = geometry.slot_count;
    header->worker_count = geometry.worker_count;
    header->max_job_size = geometry.max_job_size;
    header->max_result_size = geometry.max_result_size;
    header->owner_uid = owner;
    header->creator_pid = creator_pid;
    SegmentView view(base, geometry);
    for (std::uint32_t i = 0; i < geometry.slot_count; ++i) new (&view.slot(i)) layout::Slot{};
    for (std::uint32_t w = 0; w < geometry.worker_count; ++w)
        new (&view.ring(w)) layout::RingHeader{};
}

std::string validate_header(const void* bytes, std::size_t size, std::uint32_t expected_owner) {
    if (size < sizeof(layout::SegmentHeader)) return "segment is smaller than its header";
    layout::SegmentHeader header;
    std::memcpy(static_cast<void*>(&header), bytes, sizeof header);  // no atomics are read
    if (header.magic != layout::kMagic) return "segment has a wrong magic number";
    if (header.version != layout::kVersion) {
        return "segment has protocol version " + std::to_string(header.version) + ", expected " +
               std::to_string(layout::kVersion);
    }
    if (header.header_size != sizeof(layout::SegmentHeader)) return "segment header size differs";
    if (header.owner_uid != expected_owner) return "segment belongs to another user";
    const auto slots = header.slot_count;
    if (slots == 0 || (slots & (slots - 1)) != 0) return "segment slot count is not a power of two";
    if (header.worker_count == 0 || header.worker_count > layout::kMaxWorkers) {
        return "segment worker count is out of range";
    }
    const layout::Geometry geometry{slots, header.worker_count, header.max_job_size,
                                    header.max_result_size};
    if (header.total_size != geometry.total_size() || header.total_size != size) {
        return "segment size does not match its geometry";
    }
    return {};
}

AttachedSegment AttachedSegment::validated(void* address, std::size_t size, std::uint32_t owner) {
    const auto problem = validate_header(address, size, owner);
    if (!problem.empty()) {
        unmap(address, size);
        throw Error("refusing segment: " + problem);
    }
    const auto& header = *static_cast<const layout::SegmentHeader*>(address);
    const layout::Geometry geometry{header.slot_count, header.worker_count, header.max_job_size,
                                    header.max_result_size};
    return AttachedSegment(address, size, SegmentView(static_cast<std::byte*>(address), geometry));
}

AttachedSegment::AttachedSegment(AttachedSegment&& other) noexcept
    : address_(std::exchange(other.address_, nullptr)), size_(other.size_), view_(other.view_) {}

AttachedSegment& AttachedSegment::operator=(AttachedSegment&& other) noexcept {
    if (this != &other) {
        if (address_ != nullptr) unmap(address_, size_);
        address_ = std::exchange(other.address_, nullptr);
        size_ = other.size_;
        view_ = other.view_;
    }
    return *this;
}

AttachedSegment::~AttachedSegment() {
    if (address_ != nullptr) unmap(address_, size_);
}

}  // namespace forkline
