#include "job_group_record.hpp"

namespace forkline {

namespace {

std::atomic<std::atomic<std::int32_t>*> current_record{nullptr};

}  // namespace

void record_job_groups_in(std::atomic<std::int32_t>* record) {
    current_record.store(record, std::memory_order_release);
}

std::atomic<std::int32_t>* job_group_record() {
    return current_record.load(std::memory_order_acquire);
}

void job_group_started(pid_t group) {
    if (auto* record = current_record.load(std::memory_order_acquire))
        record->store(group, std::memory_order_release);
}

void job_group_ended(pid_t group) {
    if (auto* record = current_record.load(std::memory_order_acquire)) {
        auto expected = static_cast<std::int32_t>(group);
        record->compare_exchange_strong(expected, 0, std::memory_order_acq_rel);
    }
}

}  // namespace forkline
