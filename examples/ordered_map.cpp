// Results in submission order with bounded memory (Python's Pool.imap): a hundred
// thousand inputs, never more than 64 jobs in flight or results held back.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <forkline/forkline.hpp>
#include <numeric>
#include <vector>

int main() {
    try {
        forkline::Pool pool(
            {.worker_program = forkline::find_worker("square_worker"), .workers = 2});
        // Any input range of jobs: here a vector (clang 14 cannot compile libstdc++ 12's
        // std::views::iota, which would do as well).
        std::vector<std::uint64_t> numbers(100'000);
        std::iota(numbers.begin(), numbers.end(), std::uint64_t{1});
        std::uint64_t expected = 1;
        bool in_order = true;
        forkline::map_ordered(
            pool, numbers,
            [&](const forkline::OwnedJobResult& r) {
                std::uint64_t square = 0;
                std::memcpy(&square, r.data.data(), sizeof square);
                in_order = in_order && square == expected * expected;
                ++expected;
            },
            64);
        pool.wait();
        std::printf("%llu squares, in order: %s\n", static_cast<unsigned long long>(expected - 1),
                    in_order ? "yes" : "no");
        return in_order && expected == 100'001 ? 0 : 1;
    } catch (const forkline::Error& e) {
        std::fprintf(stderr, "ordered_map: %s\n", e.what());
        return 1;
    }
}
