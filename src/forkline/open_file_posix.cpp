#include <fcntl.h>

#include "open_file.hpp"

namespace forkline {

UniqueFd open_for_reading(const std::string& path) {
    return UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
}

}  // namespace forkline
