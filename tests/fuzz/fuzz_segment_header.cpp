// libFuzzer target: validate_header() on arbitrary bytes, as a worker would see a hostile
// or damaged segment. It must never crash, and must accept only a self-consistent header.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "layout.hpp"
#include "segment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Read at most the header; the "segment size" is fuzzed too (first 8 bytes).
    if (size < sizeof(std::uint64_t)) return 0;
    std::uint64_t claimed_size = 0;
    std::memcpy(&claimed_size, data, sizeof claimed_size);
    std::vector<std::byte> header(sizeof(forkline::layout::SegmentHeader));
    std::memcpy(header.data(), data + 8, std::min(size - 8, header.size()));
    const auto problem = forkline::validate_header(header.data(), size - 8 < header.size() ? size - 8 : claimed_size, 0);
    if (problem.empty()) {
        forkline::layout::SegmentHeader h;
        std::memcpy(static_cast<void*>(&h), header.data(), sizeof h);
        const forkline::layout::Geometry g{h.slot_count, h.worker_count, h.max_job_size, h.max_result_size};
        if (h.magic != forkline::layout::kMagic || g.total_size() != claimed_size) std::abort();
        if (h.slot_count == 0 || (h.slot_count & (h.slot_count - 1)) != 0) std::abort();
    }
    return 0;
}
