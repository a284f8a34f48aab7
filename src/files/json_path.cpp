#include "json_path.hpp"

#include <cstdio>

namespace files {

std::size_t utf8_sequence(std::string_view text) {
    if (text.empty()) return 0;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80) return 1;
    // The length, and the range of the second byte (which rules out overlong forms,
    // surrogates and code points past U+10FFFF); the bytes after it are 0x80-0xBF.
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;
    } else {
        return 0;
    }
    if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
    }
    return length;
}

void set_path(nlohmann::json& object, const std::string& path) {
    std::string shown;
    bool valid = true;
    for (std::string_view rest = path; !rest.empty();) {
        if (const auto n = utf8_sequence(rest)) {
            shown.append(rest.substr(0, n));
            rest.remove_prefix(n);
            continue;
        }
        char escaped[5];
        std::snprintf(escaped, sizeof escaped, "\\x%02X", static_cast<unsigned char>(rest[0]));
        shown += escaped;
        rest.remove_prefix(1);
        valid = false;
    }
    object["path"] = shown;
    if (valid) return;
    std::string hex;
    for (const char c : path) {
        char pair[3];
        std::snprintf(pair, sizeof pair, "%02x", static_cast<unsigned char>(c));
        hex += pair;
    }
    object["path_hex"] = hex;
}

}  // namespace files
