// The error promise at the edge (error.hpp): with descriptors running out at every step, a
// call either works or throws forkline::Error (OsError for a failed system call), never a
// bare std::system_error or anything else.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <forkline/error.hpp>
#include <functional>
#include <typeinfo>

namespace test_support {

// Runs `body` in a child process once for each descriptor limit from "none to spare" to
// `spare` more. Returns the number of runs where something other than forkline::Error
// escaped (each described on stderr): 0 when the promise holds.
inline int runs_escaping_forkline_error(const std::function<void()>& body, int spare) {
    int bad = 0;
    for (int extra = 0; extra <= spare; ++extra) {
        const pid_t pid = ::fork();
        if (pid < 0) return -1;
        if (pid == 0) {
            int highest = 2;
            for (int fd = 3; fd < 1024; ++fd)
                if (::fcntl(fd, F_GETFD) != -1) highest = fd;
            const rlimit limit{static_cast<rlim_t>(highest + 1 + extra),
                               static_cast<rlim_t>(highest + 1 + extra)};
            ::setrlimit(RLIMIT_NOFILE, &limit);
            int code = 0;
            try {
                body();
            } catch (const forkline::Error&) {
            } catch (const std::exception& e) {
                std::fprintf(stderr, "with %d spare fds: %s escaped: %s\n", extra, typeid(e).name(),
                             e.what());
                code = 1;
            } catch (...) {
                std::fprintf(stderr, "with %d spare fds: a non-std exception escaped\n", extra);
                code = 1;
            }
            std::fflush(stderr);
            ::_exit(code);
        }
        int status = 0;
        if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ++bad;
    }
    return bad;
}

}  // namespace test_support
