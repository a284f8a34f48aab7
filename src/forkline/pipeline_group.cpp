#include "pipeline_group.hpp"

#include <utility>

#include "job_group_record.hpp"
#include "leftover_processes.hpp"

namespace forkline {

void PipelineGroup::started(pid_t group) {
    group_ = group;
    job_group_started(group);
}

void PipelineGroup::end() {
    if (group_ == 0) return;
    end_process_group(group_, grace_);
    job_group_ended(std::exchange(group_, 0));
}

}  // namespace forkline
