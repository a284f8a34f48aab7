// submit(s.c_str()) would send 8 bytes of address.
// expect: would be sent as an address
#include <forkline/forkline.hpp>
#include <string>

void send(forkline::Pool& pool, const std::string& text) {
#ifdef CONTROL
    pool.submit(std::string_view(text));
#else
    pool.submit(text.c_str());
#endif
}
