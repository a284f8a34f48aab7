// The segment on Windows: an unnamed pagefile-backed section.
//
// CreateFileMapping with no name rather than Boost.Interprocess windows_shared_memory:
// windows_shared_memory always takes a name (another process of the session could open it
// by that name, or create it first), and a name is exactly what must not exist here. An
// unnamed section is reached only through a handle, which the supervisor hands to each
// worker by inheritance, and the system deletes it with the last handle: a supervisor and
// workers killed at any instant leave nothing (no /dev/shm, no BootId folder, no sweep).
#include <windows.h>
// After windows.h:
#include <aclapi.h>

#include <forkline/error.hpp>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "idle_workers.hpp"
#include "segment.hpp"
#include "unique_handle.hpp"
#include "windows_error.hpp"

namespace forkline {

namespace {

// The owner a new object of this process gets (the token's default owner: the user, or the
// Administrators group for an elevated administrator); the worker's token is a copy.
std::vector<std::byte> default_owner_of_this_process() {
    HANDLE raw = nullptr;
    if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &raw))
        throw_windows_error("cannot read this process's token");
    const UniqueHandle token(raw);
    DWORD size = 0;
    ::GetTokenInformation(token.get(), TokenOwner, nullptr, 0, &size);
    std::vector<std::byte> buffer(size);
    if (!::GetTokenInformation(token.get(), TokenOwner, buffer.data(), size, &size))
        throw_windows_error("cannot read this process's token owner");
    return buffer;
}

// Refuses a section whose owner is not ours: a handle value from the environment could name
// some other section this process holds (or that a parent of another user passed). Wine 8
// keeps no owner in an unnamed object's security descriptor (measured: GetSecurityInfo
// succeeds with a null owner SID); a section without an owner is accepted, since Windows
// itself always gives one.
void check_owner(HANDLE section) {
    PSID owner = nullptr;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    const DWORD error = ::GetSecurityInfo(section, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION,
                                          &owner, nullptr, nullptr, nullptr, &descriptor);
    if (error != ERROR_SUCCESS) throw_windows_error("cannot read the segment's owner", error);
    const std::unique_ptr<void, decltype(&::LocalFree)> release(descriptor, &::LocalFree);
    if (owner == nullptr) return;
    auto ours = default_owner_of_this_process();
    if (!::EqualSid(owner, reinterpret_cast<TOKEN_OWNER*>(ours.data())->Owner)) {
        throw Error("refusing segment: owned by another user");
    }
}

// Tells this pool's wake events from an earlier pool of this process (idle_workers).
std::uint64_t random_nonce() {
    std::random_device device;
    return (std::uint64_t{device()} << 32) ^ device();
}

std::size_t page_size() {
    SYSTEM_INFO info{};
    ::GetSystemInfo(&info);
    return info.dwPageSize;
}

}  // namespace

struct OwnedSegment::Impl {
    std::string name;  // empty: unnamed
    UniqueHandle section;
    void* address = nullptr;
    SegmentView view;
    std::shared_ptr<void> idle_wakes;  // the workers' events (idle_workers_windows.cpp)
    ~Impl() {
        if (address != nullptr) ::UnmapViewOfFile(address);
    }
};

OwnedSegment::OwnedSegment(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OwnedSegment::OwnedSegment(OwnedSegment&&) noexcept = default;
OwnedSegment& OwnedSegment::operator=(OwnedSegment&&) noexcept = default;
OwnedSegment::~OwnedSegment() = default;

OwnedSegment OwnedSegment::create(const layout::Geometry& geometry) {
    auto impl = std::make_unique<Impl>();
    const auto size = static_cast<std::uint64_t>(geometry.total_size());
    const auto what = [&] {
        return "cannot create shared-memory segment of " + std::to_string(size) + " bytes";
    };
    // Not inheritable: only the workers the launcher lists it for inherit it. The default
    // security descriptor gives access to this user (and SYSTEM) only.
    impl->section.reset(::CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE,
                                             static_cast<DWORD>(size >> 32),
                                             static_cast<DWORD>(size & 0xffffffffu), nullptr));
    if (!impl->section.valid()) throw_windows_error(what());
    impl->address = ::MapViewOfFile(impl->section.get(), FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
    if (impl->address == nullptr) throw_windows_error(what());
    auto* base = static_cast<std::byte*>(impl->address);  // zeroed by the system
    // No uid on Windows: 0, and attach() checks the section's owner SID instead.
    initialise_segment(base, geometry, 0, static_cast<std::int32_t>(::GetCurrentProcessId()));
    auto& header = *reinterpret_cast<layout::SegmentHeader*>(base);
    header.wake_nonce = random_nonce();
    impl->idle_wakes = create_idle_wakes(header);
    impl->view = SegmentView(base, geometry);
    return OwnedSegment(std::move(impl));
}

const std::string& OwnedSegment::name() const {
    return impl_->name;
}
NativeHandle OwnedSegment::handle() const {
    return impl_->section.get();
}
const SegmentView& OwnedSegment::view() const {
    return impl_->view;
}

void OwnedSegment::remove_name() noexcept {}

// Checked: the section's owner SID (against this process's default owner; under wine there
// is none to check), the size (to the
// page: a view's region is whole pages, so a section up to a page shorter than the header
// says cannot be told from the right one, but nothing past the mapped view is ever
// touched), magic, version and geometry. Not checked: the section's DACL (the POSIX check
// "not accessible to other users"): an unnamed section can be opened by nobody else, only
// duplicated out of a process that holds it, which needs that process's PROCESS_DUP_HANDLE.
AttachedSegment AttachedSegment::attach(NativeHandle segment) {
    const auto section = static_cast<HANDLE>(segment);
    check_owner(section);
    void* address = ::MapViewOfFile(section, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
    if (address == nullptr) throw_windows_error("cannot map segment");
    MEMORY_BASIC_INFORMATION region{};
    if (::VirtualQuery(address, &region, sizeof region) == 0) {
        const auto error = ::GetLastError();
        ::UnmapViewOfFile(address);
        throw_windows_error("cannot map segment", error);
    }
    const std::size_t mapped = region.RegionSize;
    std::size_t size = mapped;
    if (mapped >= sizeof(layout::SegmentHeader)) {
        const auto claimed = static_cast<std::size_t>(
            static_cast<const layout::SegmentHeader*>(address)->total_size);
        if (claimed <= mapped && mapped - claimed < page_size()) size = claimed;
    }
    return validated(address, size, 0);
}

void AttachedSegment::unmap(void* address, std::size_t) noexcept {
    ::UnmapViewOfFile(address);
}

std::size_t sweep_stale_segments() {
    return 0;  // unnamed sections die with their last handle: nothing is ever stale
}

}  // namespace forkline
