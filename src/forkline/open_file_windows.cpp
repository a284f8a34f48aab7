#include <fcntl.h>
#include <io.h>

#include "open_file.hpp"
#include "utf16.hpp"

namespace forkline {

UniqueFd open_for_reading(const std::string& path) {
    return UniqueFd(::_wopen(widen(path).c_str(), _O_RDONLY | _O_BINARY | _O_NOINHERIT));
}

}  // namespace forkline
