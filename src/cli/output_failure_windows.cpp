#include <cstdlib>

#include "output_failure.hpp"

namespace cli {

void die_of_sigpipe() {
    std::_Exit(141);  // 128 + SIGPIPE (13), which Windows does not have
}

void drop_unwritten(std::FILE* file) {
    // No __fpurge here, and none needed: the Windows C runtime (msvcrt) empties a stream's
    // buffer whenever it flushes it, whether the write worked or not.
    std::clearerr(file);
}

}  // namespace cli
