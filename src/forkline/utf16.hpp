// UTF-8 (our strings) <-> UTF-16 (the Windows API) at the API edge (Windows only). Invalid
// UTF-8 becomes U+FFFD rather than an error: a path or argument is passed on, not judged.
#pragma once

#ifndef _WIN32
#error "utf16.hpp is Windows only"
#endif

#include <windows.h>

#include <string>
#include <string_view>

namespace forkline {

inline std::wstring widen(std::string_view text) {
    if (text.empty()) return {};
    const int size =
        ::MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
    std::wstring wide(static_cast<std::size_t>(size), L'\0');
    ::MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), wide.data(),
                          size);
    return wide;
}

inline std::string narrow(std::wstring_view wide) {
    if (wide.empty()) return {};
    const int size = ::WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()),
                                           nullptr, 0, nullptr, nullptr);
    std::string text(static_cast<std::size_t>(size), '\0');
    ::WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()), text.data(), size,
                          nullptr, nullptr);
    return text;
}

}  // namespace forkline
