// A worker executable for embed_pool: squares a number. This is all a worker needs.
#include <cstdint>
#include <forkline/forkline.hpp>

int main() {
    return forkline::serve_typed<std::uint64_t, std::uint64_t>(
        [](std::uint64_t n) { return n * n; });
}
