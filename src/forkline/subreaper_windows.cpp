// Windows has no reparenting to adopt orphans: what a pipeline or job starts stays in its
// Job Object (spawn_windows.cpp), which ends them all. These are no-ops there.
#include "subreaper.hpp"

namespace forkline {

ChildSubreaper::ChildSubreaper() = default;
ChildSubreaper::~ChildSubreaper() = default;

void kill_and_reap_children(const std::function<bool(pid_t)>&) {}

}  // namespace forkline
