// The snapshot as JSON, for scripts and monitoring: one object per look,
// {"time": UNIX_SECONDS, "snapshot": true, "pools": [{"supervisor", "kind", "jobs": {…},
// "workers": [{…}]}], "unreadable": [{"supervisor", "error"}]}.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "snapshot.hpp"

namespace top {

nlohmann::json json_view(const std::vector<PoolSnapshot>& pools,
                         const std::vector<Unreadable>& unreadable = {});

}  // namespace top
