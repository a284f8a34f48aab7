// The snapshot as JSON, for scripts and monitoring: one object per look,
// {"time": UNIX_SECONDS, "snapshot": true, "pools": [{"supervisor", "kind", "jobs": {…},
// "workers": [{…}]}], "unreadable": [{"supervisor", "error"}]}.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "snapshot.hpp"

namespace top {

// A value, or null when there is none (an unknown total, an expired heartbeat).
template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json json_view(const std::vector<PoolSnapshot>& pools,
                         const std::vector<Unreadable>& unreadable = {});

}  // namespace top
