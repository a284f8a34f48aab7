// An aggregate with a pointer field: the field would arrive as an address.
// expect: holds a pointer, reference, view or span in a field
#include <cstdint>
#include <forkline/forkline.hpp>

struct Job {
    std::uint64_t id;
#ifdef CONTROL
    char name[16];
#else
    const char* name;
#endif
};

void send(forkline::Pool& pool) {
    pool.submit(Job{1, "one"});
}
