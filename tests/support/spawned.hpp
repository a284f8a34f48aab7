// A child process a test starts with descriptors of its choosing (a terminal, a pipe it
// reads while the child runs) and stops when it likes; a child still running when the test
// ends, or fails, is SIGKILLed and reaped, never left behind.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace test_support {

class Spawned {
  public:
    // argv[0] is a path. stdin is /dev/null; stdout and stderr are `out` and `err` (-1:
    // /dev/null). SIGINT has its default action in the child, whatever the test runner's.
    Spawned(const std::vector<std::string>& argv, int out, int err) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        for (const auto& [fd, target] : {std::pair{out, 1}, std::pair{err, 2}}) {
            if (fd < 0) {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0);
            } else {
                posix_spawn_file_actions_adddup2(&actions, fd, target);
            }
        }
        posix_spawnattr_t attributes;
        posix_spawnattr_init(&attributes);
        sigset_t defaults;
        ::sigemptyset(&defaults);
        ::sigaddset(&defaults, SIGINT);
        posix_spawnattr_setsigdefault(&attributes, &defaults);
        posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        const int rc = ::posix_spawn(&pid_, args[0], &actions, &attributes, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attributes);
        REQUIRE(rc == 0);
    }
    ~Spawned() {
        if (pid_ > 0) stop(SIGKILL);
    }
    Spawned(const Spawned&) = delete;
    Spawned& operator=(const Spawned&) = delete;

    pid_t pid() const { return pid_; }

    // Sends `signal` and reaps the child: its wait status.
    int stop(int signal) {
        ::kill(pid_, signal);
        int status = -1;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return status;
    }

  private:
    pid_t pid_ = -1;
};

}  // namespace test_support
