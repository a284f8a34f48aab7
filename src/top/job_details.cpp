#include "job_details.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <string_view>

#include "command_job.hpp"
#include "unique_fd.hpp"

namespace top {

namespace {

constexpr std::size_t kTail = 4096;

using forkline::layout::Phase;
using forkline::layout::SlotState;

bool claimed_by(const forkline::SegmentView& view, std::uint64_t position, std::uint32_t worker) {
    const auto state = SlotState::decode(view.slot(position).state.load(std::memory_order_acquire));
    return state.phase == Phase::claimed && state.owner == worker &&
           state.lap == view.lap(position);
}

std::string last_line_of(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    const auto newline = text.rfind('\n');
    if (newline != std::string_view::npos) text.remove_prefix(newline + 1);
    return std::string(text);
}

}  // namespace

std::string run_command_at(const forkline::SegmentView& view, std::uint64_t position,
                           std::uint32_t worker) {
    if (!claimed_by(view, position, worker)) return {};
    const auto size = std::min(view.slot(position).job_size, view.geometry().max_job_size);
    const auto* bytes = view.job_data(position);
    std::vector<std::byte> copy(bytes, bytes + size);
    // Still the same job after the copy: the bytes were not being rewritten for another.
    if (!claimed_by(view, position, worker)) return {};
    try {
        return run::decode(copy).command;
    } catch (const std::exception&) {
        return {};  // not a command job (another tool's pool) or torn
    }
}

std::string last_output_line(const std::vector<pid_t>& processes) {
    for (const auto pid : processes) {
        const auto path = "/proc/" + std::to_string(pid) + "/fd/1";
        struct stat info {};
        if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
        const forkline::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
        // Checked again on what was opened: the descriptor may have changed meanwhile.
        if (!fd.valid() || ::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
        const auto size = static_cast<std::size_t>(info.st_size);
        const auto from = size > kTail ? size - kTail : 0;
        std::string tail(size - from, '\0');
        const auto n = ::pread(fd.get(), tail.data(), tail.size(), static_cast<off_t>(from));
        if (n <= 0) continue;
        tail.resize(static_cast<std::size_t>(n));
        return last_line_of(tail);
    }
    return {};
}

}  // namespace top
