// The trivial job of the queue round-trip benchmark (as py_queue_tput.py): n -> n is odd.
#include <cstdint>
#include <forkline/serve.hpp>

int main() {
    return forkline::serve_typed<std::uint64_t, std::uint64_t>(
        [](std::uint64_t n) { return n & 1; });
}
