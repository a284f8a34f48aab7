// Paths to and from forkline's strings, which are UTF-8 (on Windows too: every executable's
// code page is UTF-8, wincross/utf8_code_page.manifest). std::filesystem::path's own
// conversions from char on Windows follow the C locale, byte by byte: "é" would become
// "Ã©". On POSIX a name is bytes and passes as it is (invalid UTF-8 included).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "platform.hpp"

namespace forkline {

inline std::filesystem::path utf8_path(std::string_view text) {
    if constexpr (kWindows) return std::filesystem::path(std::u8string(text.begin(), text.end()));
    return std::filesystem::path(text);
}

inline std::string utf8_string(const std::filesystem::path& path) {
    if constexpr (kWindows) {
        const auto text = path.u8string();
        return std::string(text.begin(), text.end());
    }
    return path.string();
}

}  // namespace forkline
