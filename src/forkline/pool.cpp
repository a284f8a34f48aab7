// forkline::Pool: the public methods, result delivery and the supervision loop.
#include <algorithm>
#include <bit>
#include <cstring>
#include <forkline/pool.hpp>
#include <forkline/pool_defaults.hpp>
#include <string_view>
#include <system_error>

#include "deadline.hpp"
#include "pool_impl.hpp"
#include "result_summary.hpp"

namespace forkline {

namespace {

constexpr std::chrono::milliseconds kExitCheckInterval{5};

PoolOptions validated(PoolOptions options) {
    if (options.worker_program.empty() == !options.worker_function) {
        throw Error("pool: give exactly one of worker_program and worker_function");
    }
    // Fixed now: a relative path means the current directory at construction, not at each
    // respawn (the program may chdir meanwhile).
    if (!options.worker_program.empty()) {
        std::error_code error;
        auto absolute = std::filesystem::absolute(options.worker_program, error);
        if (error) throw OsError("pool: cannot resolve worker_program", error.value());
        options.worker_program = std::move(absolute);
    }
    if (options.worker_init && !options.worker_function) {
        throw Error("pool: worker_init needs worker_function (a worker_program sets itself up)");
    }
    if (options.workers == 0) options.workers = available_cores();
    if (options.workers > layout::kMaxWorkers) {
        throw Error("pool: at most " + std::to_string(layout::kMaxWorkers) + " workers");
    }
    if (options.queue_slots == 0) options.queue_slots = kDefaultQueueSlots;
    if (options.queue_slots > (1u << 24)) throw Error("pool: queue_slots is at most 16777216");
    if (options.max_job_size == 0) options.max_job_size = kDefaultMaxJobSize;
    if (options.max_result_size == 0) options.max_result_size = kDefaultMaxResultSize;
    if (options.max_job_size > (1u << 30) || options.max_result_size > (1u << 30)) {
        throw Error("pool: max_job_size and max_result_size are at most 1 GiB");
    }
    if (options.max_attempts == 0) options.max_attempts = kDefaultMaxAttempts;
    if (options.job_timeout.count() < 0) throw Error("pool: job_timeout must not be negative");
    check_platform_options(options);
    return options;
}

// A failure's bytes are "TYPE\0MESSAGE" (serve.cpp): the type goes to exception_type.
void split_failure(JobResult& result) {
    const std::string_view text(reinterpret_cast<const char*>(result.data.data()),
                                result.data.size());
    const auto end = text.find('\0');
    if (end == std::string_view::npos) return;
    result.exception_type = text.substr(0, end);
    result.data = result.data.subspan(end + 1);
}

JobStatus status_of(const FinishedSlot& slot) {
    if (slot.cancelled) return JobStatus::cancelled;
    if (slot.timed_out) return JobStatus::timed_out;
    if (slot.worker_died) return JobStatus::worker_died;
    return slot.status == layout::SlotStatus::ok ? JobStatus::ok : JobStatus::failed;
}

}  // namespace

const char* to_string(JobStatus status) {
    switch (status) {
        case JobStatus::ok:
            return "ok";
        case JobStatus::failed:
            return "failed";
        case JobStatus::worker_died:
            return "worker_died";
        case JobStatus::timed_out:
            return "timed_out";
        case JobStatus::cancelled:
            return "cancelled";
    }
    return "unknown";
}

Pool::Impl::Impl(PoolOptions opts, ResultCallback callback)
    : options(validated(std::move(opts))),
      on_result(std::move(callback)),
      // The ring is a power of two (positions map to slots by a mask); the queue holds
      // exactly queue_slots jobs all the same.
      segment(
          OwnedSegment::create({std::bit_ceil(static_cast<std::uint32_t>(options.queue_slots)),
                                options.workers, static_cast<std::uint32_t>(options.max_job_size),
                                static_cast<std::uint32_t>(options.max_result_size)})),
      queue(segment.view(), options.max_attempts, static_cast<std::uint32_t>(options.queue_slots)),
      workers(options.workers) {
    segment.view().header().claim_batch.store(options.claim_batch, std::memory_order_relaxed);
    segment.view().header().max_jobs_per_worker.store(options.max_jobs_per_worker,
                                                      std::memory_order_relaxed);
    sink = [this](const FinishedSlot& slot) { finished(slot); };
    init_counters();
    // Workers receive the segment as an fd, never by name: the name can go now, so a
    // crash from here on leaves nothing in /dev/shm.
    segment.remove_name();
    start_process_guards();
    // No job was submitted yet: a pool that cannot be started as asked is an error now
    // (later, a refused respawn is retried: spawn_worker()).
    for (std::uint32_t i = 0; i < workers.size(); ++i) {
        spawn_worker(i);
        if (!workers[i].child) throw Error("pool: " + start_error);
    }
    open_control_channel();
}

Pool::Impl::~Impl() {
    for (std::uint32_t i = 0; i < workers.size(); ++i) {
        if (!workers[i].child) continue;
        workers[i].child.reset();  // SIGKILL and reap
        end_jobs_of_dead_worker(i);
    }
    stop_process_guards();  // the jobs are ended: stand the guardian down
}

std::uint64_t Pool::Impl::delivered() const {
    return summary.succeeded + summary.failed + summary.worker_died + summary.timed_out +
           summary.cancelled;
}

void Pool::Impl::finished(const FinishedSlot& slot, const ExitStatus* death) {
    if (slot.kind == layout::SlotKind::sentinel) {
        workers[slot.worker].answered_sentinel = true;
        ++summary.sentinels_answered;
        return;
    }
    const auto status = status_of(slot);
    count_result(summary, status);
    early_crashes = 0;
    JobResult result{slot.job_id, status, slot.attempts, std::chrono::nanoseconds(slot.elapsed_ns),
                     slot.result};
    if (slot.status == layout::SlotStatus::failed_with_type) split_failure(result);
    if (death && (status == JobStatus::worker_died || status == JobStatus::timed_out)) {
        result.worker_exit = {death->code, death->signal};
    }
    if (fulfil_promise(result)) return;
    if (!on_result) {
        results.push_back(owned_result(result));
        return;
    }
    delivering = true;
    try {
        on_result(result);
    } catch (...) {
        if (!callback_error) callback_error = std::current_exception();
    }
    delivering = false;
}

void Pool::Impl::push_job(JobId id, std::span<const std::byte> job,
                          std::chrono::nanoseconds timeout) {
    if (timeout.count() > 0) jobs_have_timeouts = true;
    queue.push(id, layout::SlotKind::job, job, timeout);
}

std::chrono::nanoseconds Pool::Impl::timeout_of(const JobOptions& job_options) const {
    if (job_options.timeout == JobOptions::kNoTimeout) return {};
    if (job_options.timeout.count() < 0) throw Error("pool: a job's timeout must not be negative");
    return job_options.timeout.count() > 0 ? job_options.timeout : options.job_timeout;
}

void Pool::Impl::flush_pending() {
    while (!pending.empty() && !queue.full()) {
        push_job(pending.front().id, pending.front().data, pending.front().timeout);
        pending.pop_front();
    }
}

void Pool::Impl::rethrow_callback_error() {
    if (callback_error) std::rethrow_exception(std::exchange(callback_error, nullptr));
}

// One step of supervision: results, exits, overdue jobs, sentinels, then a sleep until an
// event if nothing happened. Exits are checked when results stop flowing, when an exit or
// a deadline woke us, and at least every kExitCheckInterval; control requests when epoll
// saw one, and at those checks while results flow.
void Pool::Impl::pump(bool may_sleep, Clock::time_point until) {
    flush_pending();
    bool progress = !cancelled_jobs.empty() && deliver_cancelled();
    progress |= queue.collect(sink) != 0;
    const auto now = Clock::now();
    const bool look = !progress || std::exchange(look_around, false) ||
                      now - last_exit_check >= kExitCheckInterval;
    if (look) {
        last_exit_check = now;
        if (jobs_have_timeouts) kill_overdue_jobs();
        progress |= reap_exited_workers();
        retry_refused_starts();
        fail_jobs_without_workers();
    }
    // Without epoll's word (results flow, or no sleep follows): the channel is looked at.
    progress |= answer_control(look && (progress || !may_sleep));
    top_up_sentinels();
    publish_counters();
    if (!progress && may_sleep && !callback_error) sleep_until_event(until);
    rethrow_callback_error();
}

Pool::Pool(PoolOptions options, ResultCallback on_result)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(on_result))) {}
Pool::~Pool() = default;
Pool::Pool(Pool&&) noexcept = default;
Pool& Pool::operator=(Pool&&) noexcept = default;

void Pool::Impl::check_submittable(std::span<const std::byte> job) const {
    if (closed) throw Error("pool: submit() after close()");
    if (job.size() > options.max_job_size) {
        throw Error("pool: job of " + std::to_string(job.size()) + " bytes exceeds max_job_size " +
                    std::to_string(options.max_job_size));
    }
}

// The hot path of tiny jobs: everything here is inline (no call but the push).
JobId Pool::submit(std::span<const std::byte> job, const JobOptions& job_options) {
    auto& impl = *impl_;
    if (impl.closed || job.size() > impl.options.max_job_size) impl.check_submittable(job);
    const auto timeout =
        job_options.timeout.count() == 0 ? impl.options.job_timeout : impl.timeout_of(job_options);
    const auto id = impl.next_id++;
    ++impl.summary.submitted;
    // For forkline top, at once: a program may submit and then not call the pool for a while.
    impl.counters.submitted.store(impl.summary.submitted, std::memory_order_relaxed);
    // Jobs submitted from a callback wait in `pending` (in order) until the delivery is over.
    if (impl.delivering || !impl.pending.empty()) {
        impl.pending.push_back({id, std::vector<std::byte>(job.begin(), job.end()), timeout});
        if (!impl.delivering) impl.flush_pending();
        return id;
    }
    while (impl.queue.full()) impl.pump(true);
    impl.push_job(id, job, timeout);
    if (impl.event_loop) impl.arm_for_event_loop();
    return id;
}

std::optional<JobId> Pool::try_submit(std::span<const std::byte> job,
                                      const JobOptions& job_options) {
    auto& impl = *impl_;
    impl.check_submittable(job);
    impl.timeout_of(job_options);  // throws for a negative one before anything happens
    if (!impl.delivering) {
        if (impl.queue.full() || !impl.pending.empty()) impl.pump(false);  // never sleeps
        if (impl.queue.full() || !impl.pending.empty()) {
            if (impl.event_loop) impl.arm_for_event_loop();
            return std::nullopt;
        }
    }
    return submit(job, job_options);  // a free slot: it does not block
}

std::future<OwnedJobResult> Pool::submit_future(std::span<const std::byte> job) {
    // Safe to register after submit(): a job's result is delivered by a later pump at the
    // earliest.
    const auto id = submit(job);
    return impl_->promises[id].get_future();
}

std::size_t Pool::poll(std::chrono::milliseconds timeout) {
    auto& impl = *impl_;
    if (impl.delivering) throw Error("pool: poll() called from the result callback");
    const auto before = impl.delivered();
    const auto deadline = deadline_after(timeout);
    // From an event loop: take what made fd() readable (a worker's exit, the timer).
    if (impl.event_loop) impl.look_around |= impl.events.wait(Impl::Clock::time_point::min());
    impl.pump(false);
    while (impl.delivered() == before && impl.unfinished_jobs() > 0 &&
           Impl::Clock::now() < deadline) {
        impl.pump(true, deadline);
    }
    if (impl.event_loop) impl.arm_for_event_loop();
    return impl.delivered() - before;
}

std::uint64_t Pool::in_flight() const {
    return impl_->unfinished_jobs();
}

std::optional<OwnedJobResult> Pool::next_result() {
    auto& impl = *impl_;
    if (impl.on_result)
        throw Error("pool: next_result() needs a pool made without a result callback");
    while (impl.results.empty() && impl.unfinished_jobs() > 0) impl.pump(true);
    if (impl.results.empty()) return std::nullopt;
    auto result = std::move(impl.results.front());
    impl.results.pop_front();
    return result;
}

bool Pool::cancel(JobId id, CancelMode mode) {
    return impl_->cancel(id, mode);
}

NativeHandle Pool::fd() {
    auto& impl = *impl_;
    if (!impl.event_loop) {
        impl.event_loop = true;
        impl.arm_for_event_loop();
    }
    return impl.events.fd();
}

void Pool::close() {
    impl_->closed = true;
    if (!impl_->delivering) impl_->top_up_sentinels();
}

PoolSummary Pool::wait() {
    auto& impl = *impl_;
    if (impl.delivering) throw Error("pool: wait() called from the result callback");
    // Results first: callbacks may still submit (chains). Then the sentinels.
    while (impl.unfinished_jobs() > 0 && !impl.closed) impl.pump(true);
    close();
    while (impl.any_worker_running() || impl.unfinished_jobs() > 0) impl.pump(true);
    impl.events.wait(Impl::Clock::time_point::min());  // fd() stays quiet from now on
    impl.event_loop = false;
    impl.summary.wall = Impl::Clock::now() - impl.started;
    return impl.summary;
}

void Pool::set_total_jobs(std::uint64_t total) {
    impl_->total_jobs = total;
    impl_->publish_counters();
}

unsigned Pool::worker_count() const {
    return static_cast<unsigned>(impl_->workers.size());
}

}  // namespace forkline
