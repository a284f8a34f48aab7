// submit_future(): a job whose result comes as a std::future, beside callback results.
// The pool's thread drives the pool (wait() here); get() is then ready at once.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <forkline/forkline.hpp>
#include <future>

int main() {
    try {
        std::uint64_t others = 0;
        forkline::Pool pool(
            {.worker_program = forkline::find_worker("square_worker"), .workers = 2},
            [&](const forkline::JobResult&) { ++others; });
        std::future<forkline::OwnedJobResult> answer = pool.submit_future(std::uint64_t{12});
        for (std::uint64_t n = 1; n <= 100; ++n) pool.submit(n);  // to the callback
        pool.wait();
        const forkline::OwnedJobResult r = answer.get();
        std::uint64_t square = 0;
        std::memcpy(&square, r.data.data(), sizeof square);
        std::printf("12 squared is %llu (%s); %llu other results went to the callback\n",
                    static_cast<unsigned long long>(square), forkline::to_string(r.status),
                    static_cast<unsigned long long>(others));
        return square == 144 && others == 100 ? 0 : 1;
    } catch (const forkline::Error& e) {
        std::fprintf(stderr, "future_submit: %s\n", e.what());
        return 1;
    }
}
