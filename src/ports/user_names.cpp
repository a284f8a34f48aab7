#include "user_names.hpp"

#include <charconv>
#include <fstream>
#include <string_view>
#include <unordered_map>

namespace ports {

namespace {

std::unordered_map<std::int64_t, std::string> read_passwd() {
    std::unordered_map<std::int64_t, std::string> names;
    std::ifstream passwd("/etc/passwd");
    std::string line;
    while (std::getline(passwd, line)) {
        // name:password:uid:gid:…
        const auto first = line.find(':');
        const auto second = line.find(':', first + 1);
        const auto third = line.find(':', second + 1);
        if (first == std::string::npos || second == std::string::npos || third == std::string::npos)
            continue;
        std::int64_t uid = -1;
        const auto [end, error] =
            std::from_chars(line.data() + second + 1, line.data() + third, uid);
        if (error == std::errc{} && end == line.data() + third)
            names.emplace(uid,
                          line.substr(0, first));  // the first entry of a uid wins, as in getpwuid
    }
    return names;
}

}  // namespace

std::string user_name(std::int64_t uid) {
    static const auto names = read_passwd();
    const auto found = names.find(uid);
    return found == names.end() ? std::to_string(uid) : found->second;
}

}  // namespace ports
