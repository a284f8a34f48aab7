// The same without a worker executable: the pool forks this program and runs a callable
// in each worker process. Results are read by iteration instead of a callback.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <forkline/forkline.hpp>

int main() {
    try {
        forkline::Pool pool({.worker_function =
                                 [](std::span<const std::byte> job, std::span<std::byte> out) {
                                     std::uint64_t n = 0;
                                     std::memcpy(&n, job.data(), sizeof n);
                                     const std::uint64_t square = n * n;
                                     std::memcpy(out.data(), &square, sizeof square);
                                     return sizeof square;
                                 },
                             .workers = 2});
        for (std::uint64_t n = 1; n <= 1000; ++n) pool.submit(n);
        std::uint64_t sum = 0;
        while (const auto result = pool.next_result()) {
            std::uint64_t square = 0;
            std::memcpy(&square, result->data.data(), sizeof square);
            sum += square;
        }
        pool.wait();
        std::printf("sum of squares 1..1000 = %llu\n", static_cast<unsigned long long>(sum));
        return sum == 333833500 ? 0 : 1;
    } catch (const forkline::Error& e) {
        std::fprintf(stderr, "embed_callable: %s\n", e.what());
        return 1;
    }
}
