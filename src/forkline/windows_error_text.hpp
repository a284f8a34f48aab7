// A Windows error code as text, for messages (Windows only): the system's own sentence
// ("The system cannot find the file specified"), or "Windows error N" when it has none.
#pragma once

#ifndef _WIN32
#error "windows_error_text.hpp is Windows only"
#endif

#include <windows.h>

#include <string>
#include <string_view>

#include "utf16.hpp"

namespace forkline {

inline std::string windows_error_text(DWORD error) {
    wchar_t* text = nullptr;
    const DWORD size = ::FormatMessageW(
        FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
        nullptr, error, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
    if (size == 0 || text == nullptr) return "Windows error " + std::to_string(error);
    std::wstring_view sentence(text, size);
    while (!sentence.empty() && (sentence.back() == L'\n' || sentence.back() == L'\r' ||
                                 sentence.back() == L'.' || sentence.back() == L' '))
        sentence.remove_suffix(1);
    auto result = narrow(sentence);
    ::LocalFree(text);
    return result;
}

}  // namespace forkline
