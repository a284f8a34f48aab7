// A private redis-server for one test case: a free loopback port, a temp dir, AOF on.
// Fails the test (not skips) when redis-server is not installed: CI installs it.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>

namespace test_support {

class RedisServer {
  public:
    RedisServer();   // starts it and waits for PING (REQUIRE)
    ~RedisServer();  // stops it and reaps it
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    unsigned port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

    // One inline command (space-separated words), its reply's first line (e.g. "+PONG",
    // ":3", "*0"); "" if the server does not answer.
    std::string command(const std::string& words) const;

    // SIGTERM: Redis writes its AOF and exits; SIGKILL: a crash (appendfsync always keeps
    // every acknowledged write). Reaped either way.
    void stop(int signal = SIGTERM);
    void start();  // again, same port and dir (the AOF is read back)

  private:
    unsigned port_ = 0;
    std::string dir_;
    pid_t pid_ = -1;
};

// A loopback TCP port nobody listens on right now.
unsigned free_port();

}  // namespace test_support
