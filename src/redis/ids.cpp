#include "ids.hpp"

#include <sys/random.h>
#include <unistd.h>

#include <vector>

#include "os_error.hpp"

namespace forkline::redis {

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    check_os(::getrandom(raw.data(), raw.size(), 0), "getrandom");
    std::string hex;
    for (const auto b : raw) {
        hex += "0123456789abcdef"[b >> 4];
        hex += "0123456789abcdef"[b & 15];
    }
    return hex;
}

std::string new_worker_id() {
    char host[256] = "host";
    ::gethostname(host, sizeof host - 1);
    std::string name = host;
    for (auto& c : name) {
        if (c == ':' || c == ' ') c = '_';  // keys stay splittable on ':'
    }
    return name + "-" + std::to_string(::getpid()) + "-" + random_hex(4);
}

}  // namespace forkline::redis
