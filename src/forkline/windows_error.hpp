// Failed Win32 calls, reported as forkline::OsError (Windows only): "WHAT: REASON" with
// the system's own text for GetLastError(), since std::system_category() in mingw's
// libstdc++ knows only errno values.
#pragma once

#include <windows.h>

#include <forkline/error.hpp>
#include <string>

namespace forkline {

inline std::string windows_error_text(DWORD error) {
    char* text = nullptr;
    const DWORD size = ::FormatMessageA(
        FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
        nullptr, error, 0, reinterpret_cast<char*>(&text), 0, nullptr);
    std::string message = size != 0 ? std::string(text, size) : "error " + std::to_string(error);
    if (text != nullptr) ::LocalFree(text);
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r' ||
                                message.back() == '.' || message.back() == ' '))
        message.pop_back();
    return message;
}

// A GetLastError() code as what it is (OsError's int constructor would read it as an errno).
inline std::error_code windows_error_code(DWORD error) {
    return {static_cast<int>(error), std::system_category()};
}

[[noreturn]] inline void throw_windows_error(const std::string& what,
                                             DWORD error = ::GetLastError()) {
    throw OsError(what + ": " + windows_error_text(error), windows_error_code(error));
}

}  // namespace forkline
