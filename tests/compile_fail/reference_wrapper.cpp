// std::cref(value) is a pointer in disguise.
// expect: would be sent as an address
#include <cstdint>
#include <forkline/forkline.hpp>
#include <functional>

void send(forkline::Pool& pool, const std::uint64_t& value) {
#ifdef CONTROL
    pool.submit(std::cref(value).get());
#else
    pool.submit(std::cref(value));
#endif
}
