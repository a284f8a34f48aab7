// The worker side too: a span of ints cannot arrive as a job.
// expect: would be sent as its pointer, not its elements
#include <forkline/forkline.hpp>
#include <numeric>
#include <span>
#include <vector>

#ifdef CONTROL
using Job = std::vector<int>;
#else
using Job = std::span<const int>;
#endif

int main() {
    return forkline::serve_typed<Job, long>(
        [](const Job& values) { return std::accumulate(values.begin(), values.end(), 0L); });
}
