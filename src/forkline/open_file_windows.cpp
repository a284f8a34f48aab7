#include <fcntl.h>
#include <io.h>

#include <filesystem>

#include "open_file.hpp"

namespace forkline {

UniqueFd open_for_reading(const std::string& path) {
    // std::filesystem converts UTF-8 to the UTF-16 the wide API takes.
    const std::filesystem::path name(std::u8string(path.begin(), path.end()));
    return UniqueFd(::_wopen(name.c_str(), _O_RDONLY | _O_BINARY | _O_NOINHERIT));
}

}  // namespace forkline
