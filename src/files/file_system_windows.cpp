// Discovery's questions to Windows: file attributes (a reparse point, a symlink or junction,
// is what lstat would call a symlink), the target's through an opened handle, directory
// entries from FindFirstFileW, patterns from name_pattern. No file system makes its sizes up.
#include <windows.h>

#include <memory>

#include "file_system.hpp"
#include "name_pattern.hpp"
#include "unique_handle.hpp"
#include "utf16.hpp"
#include "windows_error.hpp"

namespace files {

namespace {

FileFacts facts_of(DWORD attributes, DWORD size_high, DWORD size_low) {
    if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) return {FileKind::symlink, 0};
    if ((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0) return {FileKind::directory, 0};
    return {FileKind::regular, (static_cast<std::uint64_t>(size_high) << 32) | size_low};
}

struct FindClose {
    void operator()(HANDLE find) const { ::FindClose(find); }
};

}  // namespace

std::optional<FileFacts> file_facts(const std::string& path, bool follow, std::string& error) {
    const auto wide = forkline::widen(path);
    if (!follow) {
        WIN32_FILE_ATTRIBUTE_DATA data{};
        if (!::GetFileAttributesExW(wide.c_str(), GetFileExInfoStandard, &data)) {
            error = forkline::windows_error_text(::GetLastError());
            return std::nullopt;
        }
        return facts_of(data.dwFileAttributes, data.nFileSizeHigh, data.nFileSizeLow);
    }
    // No access right asked: only the attributes are read. BACKUP_SEMANTICS opens
    // directories too; the open follows links.
    const forkline::UniqueHandle file(
        ::CreateFileW(wide.c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                      nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
    BY_HANDLE_FILE_INFORMATION info{};
    if (!file.valid() || !::GetFileInformationByHandle(file.get(), &info)) {
        error = forkline::windows_error_text(::GetLastError());
        return std::nullopt;
    }
    switch (::GetFileType(file.get())) {
        case FILE_TYPE_PIPE:
            return FileFacts{FileKind::fifo, 0};  // \\.\pipe\NAME: a stream, as a FIFO
        case FILE_TYPE_DISK:
            return facts_of(info.dwFileAttributes & ~FILE_ATTRIBUTE_REPARSE_POINT,
                            info.nFileSizeHigh, info.nFileSizeLow);
        default:
            return FileFacts{FileKind::other, 0};  // NUL, CON
    }
}

std::optional<std::vector<std::string>> directory_names(const std::string& dir,
                                                        std::string& error) {
    WIN32_FIND_DATAW entry{};
    const auto pattern =
        forkline::widen(dir.ends_with('/') || dir.ends_with('\\') ? dir + "*" : dir + "/*");
    const HANDLE first = ::FindFirstFileW(pattern.c_str(), &entry);
    std::vector<std::string> names;
    if (first == INVALID_HANDLE_VALUE) {
        const auto failure = ::GetLastError();
        if (failure == ERROR_FILE_NOT_FOUND) return names;  // a drive's empty root: no "."
        error = forkline::windows_error_text(failure);
        return std::nullopt;
    }
    const std::unique_ptr<void, FindClose> find(first);
    do {
        const std::wstring_view name = entry.cFileName;
        if (name != L"." && name != L"..") names.push_back(forkline::narrow(name));
    } while (::FindNextFileW(find.get(), &entry));
    if (const auto last = ::GetLastError(); last != ERROR_NO_MORE_FILES) {
        error = forkline::windows_error_text(last);
        return std::nullopt;
    }
    return names;
}

bool sizes_are_made_up(const std::string&) {
    return false;
}

bool name_matches(const std::string& pattern, const std::string& name) {
    return glob_matches(pattern, name);
}

}  // namespace files
