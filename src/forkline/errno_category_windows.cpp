#include <forkline/error.hpp>

namespace forkline {

// The system category is for GetLastError() codes: errno 28 would read "Out of paper".
const std::error_category& errno_category() noexcept {
    return std::generic_category();
}

}  // namespace forkline
