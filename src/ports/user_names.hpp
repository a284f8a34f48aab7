// uid -> user name from /etc/passwd. (getpwuid would need glibc's NSS modules at run time,
// which a static binary cannot load.)
#pragma once

#include <cstdint>
#include <string>

namespace ports {

// The name, or the number as text when /etc/passwd has no such uid.
std::string user_name(std::int64_t uid);

}  // namespace ports
