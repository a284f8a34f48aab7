#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <forkline/error.hpp>
#include <forkline/serve.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <typeinfo>

#include "fault.hpp"
#include "segment.hpp"
#include "serve_segment.hpp"
#include "type_name.hpp"
#include "worker_queue.hpp"

namespace forkline {

namespace {

// Set once this process serves as a worker (worker_index()).
std::optional<unsigned> this_worker_index;

constexpr std::chrono::milliseconds kIdleNap{50};
constexpr int kSpinsBeforeSleep = 20;

std::uint64_t environment_number(const char* name) {
    const char* text = std::getenv(name);
    std::uint64_t value = 0;
    if (text == nullptr ||
        std::from_chars(text, text + std::strlen(text), value).ec != std::errc{}) {
        throw Error(std::string("not started by a forkline pool (") + name + " is not set)");
    }
    return value;
}

// A failed job's result bytes: the exception's type, a NUL, then its message, cut to fit.
void write_failure(layout::Slot& slot, std::span<std::byte> out, const std::string& type,
                   std::string_view message) {
    std::string text = type;
    text += '\0';
    text += message;
    const auto size = std::min(text.size(), out.size());
    std::memcpy(out.data(), text.data(), size);
    slot.result_size = static_cast<std::uint32_t>(size);
    slot.status = static_cast<std::uint32_t>(layout::SlotStatus::failed_with_type);
}

void run_job(const JobHandler& handler, WorkerQueue& queue, std::uint64_t position) {
    const auto& view = queue.view();
    auto& slot = view.slot(position);
    const std::span<const std::byte> job(view.job_data(position), slot.job_size);
    const std::span<std::byte> out(view.result_data(position), view.geometry().max_result_size);
    const auto started = std::chrono::steady_clock::now();
    if (slot.timeout_ns != 0) queue.starting(position, started);  // only timed jobs are watched
    auto& activity = view.ring(queue.index()).activity;           // for forkline top (layout.hpp)
    activity.job_started_ns.store(std::chrono::nanoseconds(started.time_since_epoch()).count(),
                                  std::memory_order_relaxed);
    activity.job.store(position + 1, std::memory_order_relaxed);
    try {
        const auto size = handler(job, out);
        if (size > out.size()) throw Error("handler returned more bytes than max_result_size");
        slot.result_size = static_cast<std::uint32_t>(size);
        slot.status = static_cast<std::uint32_t>(layout::SlotStatus::ok);
    } catch (const std::exception& e) {
        write_failure(slot, out, readable_type_name(typeid(e)), e.what());
    } catch (...) {  // not a std::exception (throw 42): no message, but the job fails alone
        write_failure(slot, out, current_exception_type_name(), {});
    }
    slot.elapsed_ns = std::chrono::nanoseconds(std::chrono::steady_clock::now() - started).count();
    activity.job.store(0, std::memory_order_relaxed);
    activity.jobs_done.store(activity.jobs_done.load(std::memory_order_relaxed) + 1,
                             std::memory_order_relaxed);
}

// The supervisor's eventfd (Windows: event), when the pool passed one (FORKLINE_WAKE_FD);
// none otherwise. Inherited: kept from the job's processes (keep_inherited_handle()).
NativeHandle wake_fd_from_environment() {
    if (std::getenv("FORKLINE_WAKE_FD") == nullptr) return kNoNativeHandle;
    return keep_inherited_handle(environment_number("FORKLINE_WAKE_FD"));
}

// Recycling (max_jobs_per_worker): every result is published; the positions reserved but
// not claimed go back to the others; then the flag tells the supervisor that this exit 0
// is a retirement. A kill anywhere in between is an ordinary death (recover_worker()).
int retire(WorkerQueue& queue) {
    queue.give_back_reserved();
    fault_point("retiring");
    queue.view().ring(queue.index()).retired.store(1, std::memory_order_release);
    return 0;
}

int serve_attached(const JobHandler& handler, const SegmentView& view, std::uint32_t index,
                   NativeHandle wake_fd) {
    WorkerQueue queue(view, index, wake_fd);
    view.ring(index).activity.job.store(0, std::memory_order_relaxed);  // a dead one's job
    view.ring(index).pid.store(this_process_id(), std::memory_order_release);
    // Pipelines a job runs record their process group here, for the supervisor to kill if
    // this worker dies mid-job.
    record_job_groups(&view.ring(index).job_group);
    const auto max_jobs = view.header().max_jobs_per_worker.load(std::memory_order_relaxed);
    std::uint64_t jobs_done = 0;
    int idle_spins = 0;
    for (;;) {
        const auto position = queue.claim_next();
        if (!position) {
            if (++idle_spins < kSpinsBeforeSleep) {
                std::this_thread::yield();
            } else {
                queue.wait_for_jobs(kIdleNap);
                idle_spins = 0;
            }
            continue;
        }
        idle_spins = 0;
        auto& slot = view.slot(*position);
        if (static_cast<layout::SlotKind>(slot.kind) == layout::SlotKind::sentinel) {
            slot.result_size = 0;
            slot.status = static_cast<std::uint32_t>(layout::SlotStatus::ok);
            queue.give_back_reserved();
            queue.complete(*position);
            return 0;
        }
        run_job(handler, queue, *position);
        queue.complete(*position);
        if (max_jobs != 0 && ++jobs_done == max_jobs) return retire(queue);
    }
}

}  // namespace

int serve_segment(const JobHandler& handler, NativeHandle segment_fd, std::uint32_t index,
                  NativeHandle wake_fd, const WorkerInit& init) {
    try {
        this_worker_index = index;  // worker_index(), in the initialiser and the handler
        // Before attaching: a worker whose initialiser fails exits 1 unattached, which the
        // pool reports as an Error rather than respawning it again and again.
        if (init) init(index);
        const auto segment = AttachedSegment::attach(segment_fd);
        close_native_handle(segment_fd);  // the mapping stays; nothing it starts inherits it
        if (index >= segment.view().geometry().worker_count) {
            throw Error("worker index " + std::to_string(index) + " is out of range");
        }
        return serve_attached(handler, segment.view(), index, wake_fd);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "forkline worker: %s\n", e.what());
        return 1;
    }
}

std::optional<unsigned> worker_index() {
    return this_worker_index;
}

int serve(const JobHandler& handler) {
    try {
        const auto segment = inherited_segment(environment_number("FORKLINE_SEGMENT_FD"));
        return serve_segment(
            handler, segment,
            static_cast<std::uint32_t>(environment_number("FORKLINE_WORKER_INDEX")),
            wake_fd_from_environment());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "forkline worker: %s\n", e.what());
        return 1;
    }
}

}  // namespace forkline
