// as<T>() refuses what submit() refuses: a pointer into another process.
// expect: would be sent as an address
#include <forkline/forkline.hpp>
#include <string_view>

std::size_t size_of(const forkline::JobResult& r) {
#ifdef CONTROL
    return r.as<std::string_view>().size();
#else
    return r.as<const char*>() != nullptr ? 1 : 0;
#endif
}
