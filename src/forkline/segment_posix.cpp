// The segment on POSIX: a Boost.Interprocess shared_memory_object in /dev/shm.
#include "segment.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <forkline/error.hpp>
#include <utility>

#include "os_error.hpp"

namespace forkline {

namespace bip = boost::interprocess;

namespace {

constexpr std::string_view kPrefix = "forkline-";

std::string unpredictable_name() {
    std::uint64_t random = 0;
    if (::getrandom(&random, sizeof random, 0) != sizeof random) {
        throw_os_error("cannot create a shared-memory segment: getrandom failed");
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(random));
    return std::string(kPrefix) + std::to_string(::getpid()) + "-" + hex;
}

}  // namespace

struct OwnedSegment::Impl {
    std::string name;
    bip::shared_memory_object object;
    bip::mapped_region region;
    SegmentView view;
    bool named = true;
};

OwnedSegment::OwnedSegment(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OwnedSegment::OwnedSegment(OwnedSegment&&) noexcept = default;
OwnedSegment& OwnedSegment::operator=(OwnedSegment&&) noexcept = default;
OwnedSegment::~OwnedSegment() {
    if (impl_) remove_name();
}

OwnedSegment OwnedSegment::create(const layout::Geometry& geometry) {
    sweep_stale_segments();
    auto impl = std::make_unique<Impl>();
    impl->name = unpredictable_name();
    try {
        bip::permissions owner_only(0600);
        impl->object = bip::shared_memory_object(bip::create_only, impl->name.c_str(),
                                                 bip::read_write, owner_only);
        impl->object.truncate(static_cast<bip::offset_t>(geometry.total_size()));
        impl->region = bip::mapped_region(impl->object, bip::read_write);
    } catch (const bip::interprocess_exception& e) {
        bip::shared_memory_object::remove(impl->name.c_str());
        throw Error("cannot create shared-memory segment /" + impl->name + " of " +
                    std::to_string(geometry.total_size()) + " bytes: " + e.what());
    }
    auto* base = static_cast<std::byte*>(impl->region.get_address());
    // A child fork()ed by this program (without exec) must not write into the queues.
    ::madvise(base, impl->region.get_size(), MADV_DONTFORK);
    initialise_segment(base, geometry, ::geteuid(), ::getpid());
    impl->view = SegmentView(base, geometry);
    return OwnedSegment(std::move(impl));
}

const std::string& OwnedSegment::name() const {
    return impl_->name;
}
NativeHandle OwnedSegment::handle() const {
    return impl_->object.get_mapping_handle().handle;
}
const SegmentView& OwnedSegment::view() const {
    return impl_->view;
}

void OwnedSegment::remove_name() noexcept {
    if (!impl_->named) return;
    impl_->named = false;
    bip::shared_memory_object::remove(impl_->name.c_str());
}

AttachedSegment AttachedSegment::attach(NativeHandle fd) {
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        throw_os_error("cannot attach to segment fd " + std::to_string(fd));
    }
    if (info.st_uid != ::geteuid())
        throw Error("refusing segment: owned by uid " + std::to_string(info.st_uid));
    if ((info.st_mode & 077) != 0) throw Error("refusing segment: accessible to other users");
    const auto size = static_cast<std::size_t>(info.st_size);
    if (size < sizeof(layout::SegmentHeader))
        throw Error("refusing segment: segment is smaller than its header");
    void* address = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (address == MAP_FAILED) throw_os_error("cannot map segment");
    ::madvise(address, size, MADV_DONTFORK);  // a handler's fork() must not write into the queues
    return validated(address, size, ::geteuid());
}

void AttachedSegment::unmap(void* address, std::size_t size) noexcept {
    ::munmap(address, size);
}

std::size_t sweep_stale_segments() {
    std::size_t removed = 0;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ignored)) {
        const auto name = entry.path().filename().string();
        if (!name.starts_with(kPrefix)) continue;
        int pid = 0;
        const char* digits = name.data() + kPrefix.size();
        const auto [end, error] = std::from_chars(digits, name.data() + name.size(), pid);
        if (error != std::errc{} || *end != '-' || pid <= 0) continue;
        struct stat info {};
        if (::stat(entry.path().c_str(), &info) != 0 || info.st_uid != ::geteuid()) continue;
        if (::kill(pid, 0) == 0 || errno != ESRCH)
            continue;  // creator alive (or not ours to judge)
        if (bip::shared_memory_object::remove(name.c_str())) ++removed;
    }
    return removed;
}

}  // namespace forkline
