// The parser's ~ on Windows: %USERPROFILE% (what PowerShell's ~ is). ~user has no
// equivalent that needs no privileges: nullopt, so the parser says "no such user".
#include <cstdlib>

#include "home_directory.hpp"

namespace forkline {

std::optional<std::string> home_directory(const std::string& user) {
    if (!user.empty()) return std::nullopt;
    const char* profile = std::getenv("USERPROFILE");
    if (profile == nullptr || *profile == '\0') return std::nullopt;
    return std::string(profile);
}

}  // namespace forkline
