// A span of non-bytes would send its pointer and size.
// expect: would be sent as its pointer, not its elements
#include <forkline/forkline.hpp>
#include <span>
#include <vector>

void send(forkline::Pool& pool, const std::vector<int>& values) {
#ifdef CONTROL
    pool.submit(values);
#else
    pool.submit(std::span<const int>(values));
#endif
}
