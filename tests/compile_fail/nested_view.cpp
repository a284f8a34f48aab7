// A view two levels down, after a plain field, is found too.
// expect: holds a pointer, reference, view or span in a field
#include <cstdint>
#include <forkline/forkline.hpp>
#include <string_view>

struct Label {
    std::uint32_t length;
#ifdef CONTROL
    char text[28];
#else
    std::string_view text;
#endif
};
struct Job {
    Label label;
    double weight;
};

void send(forkline::Pool& pool) {
    pool.submit(Job{});
}
