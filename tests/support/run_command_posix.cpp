// run_command.hpp's POSIX half: posix_spawn, pipes, poll, /proc.
#include "run_command.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace test_support {

namespace {

struct Pipe {
    int read = -1;
    int write = -1;
    Pipe() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
        read = fds[0];
        write = fds[1];
    }
};

pid_t spawn(const std::vector<std::string>& argv, int in, int out, int err) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in, 0);
    posix_spawn_file_actions_adddup2(&actions, out, 1);
    posix_spawn_file_actions_adddup2(&actions, err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot spawn " + argv[0]);
    return pid;
}

// Waits for `pid` and sets result.code or result.signal.
void reap(pid_t pid, CommandResult& result) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
    } else {
        result.code = WEXITSTATUS(status);
    }
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input,
                          std::chrono::seconds limit) {
    Pipe in, out, err;
    pid_t pid = -1;
    try {
        pid = spawn(argv, in.read, out.write, err.write);
    } catch (...) {
        for (const int fd : {in.read, in.write, out.read, out.write, err.read, err.write})
            ::close(fd);
        throw;
    }
    ::close(in.read);
    ::close(out.write);
    ::close(err.write);
    ::fcntl(in.write, F_SETFL, O_NONBLOCK);
    ::signal(SIGPIPE, SIG_IGN);
    CommandResult result;
    std::size_t written = 0;
    int in_fd = in.write;
    if (input.empty()) {
        ::close(in_fd);
        in_fd = -1;
    }
    int fds_open[2] = {out.read, err.read};
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (fds_open[0] >= 0 || fds_open[1] >= 0) {
        pollfd fds[3] = {{fds_open[0], POLLIN, 0}, {fds_open[1], POLLIN, 0}, {in_fd, POLLOUT, 0}};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ::kill(pid, SIGKILL);
            break;
        }
        ::poll(fds, 3, static_cast<int>(left.count()));
        for (int i = 0; i < 2; ++i) {
            if (fds[i].revents == 0) continue;
            char buffer[65536];
            const auto n = ::read(fds_open[i], buffer, sizeof buffer);
            if (n > 0) {
                (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
            } else {
                ::close(fds_open[i]);
                fds_open[i] = -1;
            }
        }
        if (in_fd >= 0 && fds[2].revents != 0) {
            const auto n = ::write(in_fd, input.data() + written, input.size() - written);
            if (n > 0) written += static_cast<std::size_t>(n);
            if (n < 0 || written == input.size()) {
                ::close(in_fd);
                in_fd = -1;
            }
        }
    }
    for (int fd : fds_open) {
        if (fd >= 0) ::close(fd);
    }
    if (in_fd >= 0) ::close(in_fd);
    reap(pid, result);
    return result;
}

CommandResult run_redirected(const std::string& redirection, const std::vector<std::string>& argv,
                             const std::string& input) {
    std::vector<std::string> shell{"/bin/sh", "-c", "exec \"$@\" " + redirection, "sh"};
    shell.insert(shell.end(), argv.begin(), argv.end());
    return run_command(shell, input);
}

bool have_program(const std::string& program) {
    return run_command({"/bin/sh", "-c", "command -v \"$0\"", program}).code == 0;
}

CommandResult run_on_terminal(const std::string& shell_command,
                              const std::vector<Keystrokes>& steps, std::chrono::seconds limit) {
    Pipe in, out;
    const pid_t pid = spawn({"env", "SHELL=/bin/sh", "script", "-qec", shell_command, "/dev/null"},
                            in.read, out.write, out.write);
    ::close(in.read);
    ::close(out.write);
    ::signal(SIGPIPE, SIG_IGN);
    CommandResult result;
    std::size_t step = 0;
    std::size_t search_from = 0;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        for (; step < steps.size(); ++step) {
            const auto found = result.out.find(steps[step].after, search_from);
            if (found == std::string::npos) break;
            search_from = found + steps[step].after.size();
            // A few bytes: they fit in the pipe at once.
            if (::write(in.write, steps[step].keys.data(), steps[step].keys.size()) < 0) break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ::kill(pid, SIGKILL);
            break;
        }
        pollfd fd{out.read, POLLIN, 0};
        if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
        char buffer[4096];
        const auto n = ::read(out.read, buffer, sizeof buffer);
        if (n <= 0) break;
        result.out.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(out.read);
    ::close(in.write);
    reap(pid, result);
    return result;
}

pid_t start_command(const std::vector<std::string>& argv) {
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    const pid_t pid = spawn(argv, null, null, null);
    ::close(null);
    return pid;
}

std::vector<int> open_fds() {
    std::vector<int> fds;
    DIR* dir = ::opendir("/proc/self/fd");
    while (const dirent* entry = ::readdir(dir)) {
        if (entry->d_name[0] != '.' && std::atoi(entry->d_name) != ::dirfd(dir))
            fds.push_back(std::atoi(entry->d_name));
    }
    ::closedir(dir);
    std::sort(fds.begin(), fds.end());
    return fds;
}

std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> children;
    const auto tasks = "/proc/" + std::to_string(parent) + "/task";
    std::error_code ignored;
    for (const auto& task : std::filesystem::directory_iterator(tasks, ignored)) {
        std::ifstream file(task.path() / "children");
        for (pid_t pid; file >> pid;) children.push_back(pid);
    }
    return children;
}

std::vector<pid_t> wait_for_children(pid_t parent, std::size_t count) {
    auto children = children_of(parent);
    for (int i = 0; i < 200 && children.size() < count; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        children = children_of(parent);
    }
    return children;
}

std::vector<std::string> segments_of(pid_t pid) {
    std::vector<std::string> names;
    const auto prefix = "forkline-" + std::to_string(pid) + "-";
    for (const auto& entry : std::filesystem::directory_iterator("/dev/shm")) {
        const auto name = entry.path().filename().string();
        if (name.starts_with(prefix)) names.push_back(name);
    }
    return names;
}

bool wait_gone(pid_t pid, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string text;
        if (!std::getline(stat, text)) return true;
        const auto state_at = text.rfind(')') + 2;
        if (state_at < text.size() && text[state_at] == 'Z') return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

}  // namespace test_support
