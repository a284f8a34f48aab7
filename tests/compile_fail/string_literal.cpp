// submit("text"): with or without its NUL?
// expect: a C array (a string literal?) is not sent on its own
#include <forkline/forkline.hpp>
#include <string_view>

void send(forkline::Pool& pool) {
#ifdef CONTROL
    pool.submit(std::string_view("text"));
#else
    pool.submit("text");
#endif
}
