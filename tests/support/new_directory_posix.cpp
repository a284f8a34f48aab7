#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "new_directory.hpp"

namespace test_support {

std::string new_directory(const std::string& prefix) {
    std::string path = "/tmp/" + prefix + "-XXXXXX";
    if (::mkdtemp(path.data()) == nullptr)
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + path);
    return path;
}

long long process_id() {
    return ::getpid();
}

}  // namespace test_support
