// The snapshot as lines of text: a summary of each pool, then a row per worker. The same
// lines are printed plainly (not a terminal) and drawn on the full screen.
#pragma once

#include <string>
#include <vector>

#include "snapshot.hpp"

namespace top {

struct TextLine {
    std::string text;
    // The worker row's pool and worker index, for selecting it; -1: not a worker row.
    int pool = -1;
    int worker = -1;
};

std::vector<TextLine> text_view(const std::vector<PoolSnapshot>& pools,
                                const std::vector<Unreadable>& unreadable = {});

// "12.3s", "4m05s", "2h03m": a duration in the fewest characters.
std::string short_duration(double seconds);
// "512K", "12.5M", "3.1G".
std::string short_bytes(std::uint64_t bytes);

}  // namespace top
