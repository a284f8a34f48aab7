// redis://[user:password@]host[:port][/db] → its parts, or an Error that says what is wrong.
#pragma once

#include <string>
#include <string_view>

namespace forkline::redis {

struct Url {
    std::string host;
    unsigned port = 6379;
    unsigned db = 0;
    std::string user;      // "" with a password alone: AUTH password (the default user)
    std::string password;  // "": no AUTH
};

// Throws forkline::Error("bad Redis URL 'X': why").
Url parse_url(std::string_view text);

}  // namespace forkline::redis
