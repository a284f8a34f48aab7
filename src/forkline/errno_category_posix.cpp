#include <forkline/error.hpp>

namespace forkline {

// Errno values are the system's own error codes here.
const std::error_category& errno_category() noexcept {
    return std::system_category();
}

}  // namespace forkline
