// src/cli on Windows: a write into a pipe whose reader is gone is EPIPE, as on POSIX, so that
// a tool ends quietly (tool.hpp) instead of reporting "Invalid argument", which is what the
// C runtime says (tests/test_procs.cpp checks the POSIX side with `| head -1`).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <cerrno>
#include <cstdio>
#include <functional>

#include "output.hpp"

namespace {

// A descriptor writing into a pipe whose read end is already closed.
int pipe_without_reader() {
    HANDLE read_end = nullptr;
    HANDLE write_end = nullptr;
    REQUIRE(::CreatePipe(&read_end, &write_end, nullptr, 0));
    ::CloseHandle(read_end);
    const int fd = ::_open_osfhandle(reinterpret_cast<intptr_t>(write_end), _O_WRONLY | _O_BINARY);
    REQUIRE(fd >= 0);
    return fd;
}

int output_error(const std::function<void()>& write) {
    try {
        write();
    } catch (const cli::OutputError& e) {
        return e.error();
    }
    return 0;
}

}  // namespace

TEST_CASE("write_all into a pipe without a reader: EPIPE") {
    const int fd = pipe_without_reader();
    CHECK(output_error([&] { cli::write_all(fd, "lost"); }) == EPIPE);
    ::_close(fd);
}

TEST_CASE("check_output of a stream into a pipe without a reader: EPIPE") {
    std::FILE* file = ::_fdopen(pipe_without_reader(), "wb");
    REQUIRE(file != nullptr);
    std::fputs("lost", file);
    CHECK(output_error([&] { cli::check_output(file); }) == EPIPE);
    std::clearerr(file);
    std::fclose(file);
}
