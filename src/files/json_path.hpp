// File names in JSON. A name is bytes, JSON text is UTF-8: a name that is not valid UTF-8
// must stay recoverable, and two different names must never print alike (as they would if
// invalid bytes became U+FFFD).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace files {

// Sets object["path"] to `path` when it is valid UTF-8. Otherwise "path" shows each byte
// that is not part of a valid UTF-8 sequence as the four characters \xNN (for people), and
// object["path_hex"] holds every byte of the name in hex (for programs: the exact name).
void set_path(nlohmann::json& object, const std::string& path);

// The length of the valid UTF-8 sequence (RFC 3629: at most U+10FFFF, no surrogates, no
// overlong forms) at the start of `text`, or 0 if there is none.
std::size_t utf8_sequence(std::string_view text);

}  // namespace files
