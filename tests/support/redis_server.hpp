// A private redis-server for one test case: a free loopback port, a temp dir, AOF on.
// Fails the test (not skips) when redis-server is not installed: CI installs it.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace test_support {

class RedisServer {
  public:
    // Starts it and waits for PING (REQUIRE). It listens on 127.0.0.1, and on the addresses
    // `also_bind` too (then without protected mode: for hosts in network namespaces).
    explicit RedisServer(std::vector<std::string> also_bind = {});
    ~RedisServer();  // stops it and reaps it
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    unsigned port() const { return port_; }
    std::string url() const { return url_on("127.0.0.1"); }
    std::string url_on(const std::string& address) const {
        return "redis://" + address + ":" + std::to_string(port_);
    }

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
    std::vector<std::string> also_bind_;
};

// A loopback TCP port nobody listens on right now.
unsigned free_port();

}  // namespace test_support
