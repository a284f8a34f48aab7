#include "url.hpp"

#include <charconv>
#include <forkline/error.hpp>
#include <forkline/redis.hpp>

namespace forkline::redis {

namespace {

unsigned parse_unsigned(std::string_view text, unsigned max, const std::string& what) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value > max)
        throw Error(what + " must be a number from 0 to " + std::to_string(max) + ", not '" +
                    std::string(text) + "'");
    return value;
}

}  // namespace

Url parse_url(std::string_view text) {
    constexpr std::string_view scheme = "redis://";
    try {
        if (!text.starts_with(scheme))
            throw Error("expected redis://[user:password@]host[:port][/db]");
        std::string_view rest = text.substr(scheme.size());
        Url url;
        // The password may contain '@', ':' and '/': split at the last '@' (before looking
        // for the database, so no error quotes a piece of the password), then the first ':'.
        const auto at = rest.rfind('@');
        if (const auto slash = rest.find('/', at == std::string_view::npos ? 0 : at);
            slash != std::string_view::npos) {
            const auto db = rest.substr(slash + 1);
            if (!db.empty()) url.db = parse_unsigned(db, 1'000'000, "the database");
            rest = rest.substr(0, slash);
        }
        if (at != std::string_view::npos) {
            const auto userinfo = rest.substr(0, at);
            const auto colon = userinfo.find(':');
            if (colon == std::string_view::npos) {
                url.password = userinfo;  // redis://password@host, as redis-cli -u reads it
            } else {
                url.user = userinfo.substr(0, colon);
                url.password = userinfo.substr(colon + 1);
            }
            rest = rest.substr(at + 1);
        }
        if (rest.starts_with('[')) {  // [IPv6]:port
            const auto close = rest.find(']');
            if (close == std::string_view::npos) throw Error("unclosed '[' in the host");
            url.host = rest.substr(1, close - 1);
            rest = rest.substr(close + 1);
            if (!rest.empty() && !rest.starts_with(':')) throw Error("junk after ']'");
        } else {
            const auto colon = rest.find(':');
            url.host = rest.substr(0, colon);
            rest = colon == std::string_view::npos ? "" : rest.substr(colon);
        }
        if (rest.starts_with(':')) {
            url.port = parse_unsigned(rest.substr(1), 65535, "the port");
            if (url.port == 0) throw Error("the port must not be 0");
        }
        if (url.host.empty()) throw Error("no host");
        return url;
    } catch (const Error& e) {
        throw Error("bad Redis URL '" + redis_url_without_password(text) + "': " + e.what());
    }
}

}  // namespace forkline::redis

void forkline::check_redis_url(std::string_view url) {
    redis::parse_url(url);
}

// Nothing before the last '@' but the scheme (a mistyped scheme must not print the password
// either).
std::string forkline::redis_url_without_password(std::string_view url) {
    const auto at = url.rfind('@');
    if (at == std::string_view::npos) return std::string(url);
    const auto start = url.find("://");
    const auto scheme = start == std::string_view::npos || start > at ? 0 : start + 3;
    return std::string(url.substr(0, scheme)) + "…" + std::string(url.substr(at));
}
