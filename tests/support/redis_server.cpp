#include "redis_server.hpp"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "procs_output.hpp"
#include "run_command.hpp"

namespace test_support {

namespace {

std::string find_redis_server() {
    std::istringstream path(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin");
    for (std::string dir; std::getline(path, dir, ':');) {
        const auto candidate = dir + "/redis-server";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
}

int loopback_socket(unsigned port, bool connect) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const auto* sa = reinterpret_cast<const sockaddr*>(&address);
    if (fd < 0 || (connect ? ::connect(fd, sa, sizeof address) : ::bind(fd, sa, sizeof address))) {
        if (fd >= 0) ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

unsigned free_port() {
    const int fd = loopback_socket(0, false);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    socklen_t len = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len);
    ::close(fd);
    return ntohs(address.sin_port);
}

RedisServer::RedisServer(std::vector<std::string> also_bind)
    : port_(free_port()), also_bind_(std::move(also_bind)) {
    dir_ = std::string(testing_tmp()) + "/redis-" + std::to_string(port_);
    std::filesystem::create_directories(dir_);
    start();
}

RedisServer::~RedisServer() {
    stop();
    std::filesystem::remove_all(dir_);
}

void RedisServer::start() {
    const auto server = find_redis_server();
    REQUIRE_MESSAGE(!server.empty(),
                    "redis-server is not installed (apt-get install redis-server; it is in "
                    "scripts/debian-packages.txt)");
    // appendfsync always: a restart loses no acknowledged write, whatever kills it.
    std::vector<std::string> argv{server, "--port", std::to_string(port_), "--bind", "127.0.0.1"};
    argv.insert(argv.end(), also_bind_.begin(), also_bind_.end());
    if (!also_bind_.empty()) argv.insert(argv.end(), {"--protected-mode", "no"});
    argv.insert(argv.end(), {"--dir", dir_, "--appendonly", "yes", "--appendfsync", "always",
                             "--save", "", "--daemonize", "no"});
    pid_ = start_command(argv);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (command("PING") != "+PONG" && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE_MESSAGE(command("PING") == "+PONG", "redis-server did not answer PING");
}

void RedisServer::stop(int signal) {
    if (pid_ < 0) return;
    ::kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
}

std::string RedisServer::command(const std::string& words) const {
    const int fd = loopback_socket(port_, true);
    if (fd < 0) return {};
    const auto request = words + "\r\n";
    std::string reply;
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
        char c = 0;
        while (::read(fd, &c, 1) == 1 && c != '\r') reply += c;
    }
    ::close(fd);
    return reply;
}

}  // namespace test_support
