#include "home_directory.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

namespace forkline {

namespace {

// The _r forms: the parser may run on several threads (forkline run's scheduler).
template <typename Lookup>
std::optional<std::string> password_entry_home(Lookup lookup) {
    std::vector<char> buffer(16 * 1024);
    for (;;) {
        passwd entry{};
        passwd* found = nullptr;
        const int error = lookup(&entry, buffer.data(), buffer.size(), &found);
        if (error == ERANGE && buffer.size() < (1u << 24)) {
            buffer.resize(buffer.size() * 4);
            continue;
        }
        if (error != 0 || found == nullptr) return std::nullopt;
        return std::string(found->pw_dir);
    }
}

}  // namespace

std::optional<std::string> home_directory(const std::string& user) {
    if (user.empty()) {
        if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
        return password_entry_home(
            [](passwd* entry, char* buffer, std::size_t size, passwd** found) {
                return ::getpwuid_r(::getuid(), entry, buffer, size, found);
            });
    }
    return password_entry_home([&](passwd* entry, char* buffer, std::size_t size, passwd** found) {
        return ::getpwnam_r(user.c_str(), entry, buffer, size, found);
    });
}

}  // namespace forkline
