#include "output.hpp"

#include <unistd.h>

#include <cerrno>

#include "output_failure.hpp"

namespace cli {

void check_output(std::FILE* file, const std::string& file_name) {
    errno = 0;
    // ferror catches a failure stdio met earlier and has since forgotten the errno of.
    if (std::fflush(file) != 0 || std::ferror(file) != 0)
        throw OutputError(file_name, write_errno());
}

void write_all(int fd, std::string_view data, const std::string& file_name) {
    while (!data.empty()) {
        const auto n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw OutputError(file_name, n < 0 ? write_errno() : EIO);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace cli
