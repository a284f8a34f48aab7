// Chunk input through a HANDLE (Windows): ReadFile with an OVERLAPPED offset for ranges (on a
// synchronous handle it only says where), plain ReadFile for streams. Files are opened
// sharing read, write and delete, as POSIX opens do not lock anything.
#include <windows.h>

#include "chunk_input.hpp"
#include "utf16.hpp"
#include "windows_error.hpp"

namespace files {

ChunkInput::ChunkInput(const ChunkJob& job) {
    if (job.reading == Reading::stream && job.path == "-") {
        handle_ = ::GetStdHandle(STD_INPUT_HANDLE);
        if (handle_ == nullptr || handle_ == INVALID_HANDLE_VALUE) error_ = "no standard input";
        return;
    }
    owned_ = forkline::UniqueHandle(
        ::CreateFileW(forkline::widen(job.path).c_str(), GENERIC_READ,
                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                      OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN, nullptr));
    if (!owned_.valid()) {
        error_ = forkline::windows_error_text(::GetLastError());
        return;
    }
    handle_ = owned_.get();
    // FILE_TYPE_DISK: a file (a directory cannot be opened without
    // FILE_FLAG_BACKUP_SEMANTICS); pipes and consoles are FILE_TYPE_PIPE / _CHAR.
    if (job.reading != Reading::stream && ::GetFileType(handle_) != FILE_TYPE_DISK)
        error_ = "not a regular file any more";
}

std::int64_t ChunkInput::read_at(unsigned char* into, std::size_t size, std::uint64_t offset) {
    std::size_t done = 0;
    while (done < size) {
        OVERLAPPED at{};
        at.Offset = static_cast<DWORD>(offset + done);
        at.OffsetHigh = static_cast<DWORD>((offset + done) >> 32);
        DWORD n = 0;
        const auto want = static_cast<DWORD>(std::min<std::size_t>(size - done, 1u << 30));
        if (!::ReadFile(handle_, into + done, want, &n, &at)) {
            const auto error = ::GetLastError();
            if (error == ERROR_HANDLE_EOF) break;
            error_ = "read: " + forkline::windows_error_text(error);
            return -1;
        }
        if (n == 0) break;
        done += n;
    }
    return static_cast<std::int64_t>(done);
}

std::int64_t ChunkInput::read_fill(unsigned char* into, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
        DWORD n = 0;
        const auto want = static_cast<DWORD>(std::min<std::size_t>(size - done, 1u << 30));
        if (!::ReadFile(handle_, into + done, want, &n, nullptr)) {
            const auto error = ::GetLastError();
            if (error == ERROR_BROKEN_PIPE || error == ERROR_HANDLE_EOF)
                break;  // the writer is gone
            error_ = "read: " + forkline::windows_error_text(error);
            return -1;
        }
        if (n == 0) break;
        done += n;
    }
    return static_cast<std::int64_t>(done);
}

void ChunkInput::will_read(std::uint64_t, std::uint64_t) {
    // FILE_FLAG_SEQUENTIAL_SCAN at the open said it already.
}

}  // namespace files
