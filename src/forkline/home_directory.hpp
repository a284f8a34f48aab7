// Home directories for the parser's ~ and ~user, found the way sh finds them.
#pragma once

#include <optional>
#include <string>

namespace forkline {

// `user` empty: $HOME, or when it is unset or empty this user's password entry (as
// getpwuid). Otherwise that user's entry (getpwnam). nullopt when there is none.
std::optional<std::string> home_directory(const std::string& user);

}  // namespace forkline
