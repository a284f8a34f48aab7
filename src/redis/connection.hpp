// One connection to Redis (hiredis underneath), owned: a lost connection is reconnected with
// exponential backoff and the command sent again, until `give_up` has passed since the first
// failure (a connection that comes back and breaks again before any reply does not restart
// that clock); then Error. The first connection is tried for `connect_timeout` only.
// Callers make every command safe to send twice (docs/redis.md).
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <forkline/pool_defaults.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "url.hpp"

namespace forkline::redis {

// An owned reply (hiredis' redisReply tree).
class Reply {
  public:
    Reply() = default;
    explicit Reply(redisReply* reply) : reply_(reply) {}

    bool nil() const { return !reply_ || reply_->type == REDIS_REPLY_NIL; }
    long long integer() const { return reply_->integer; }
    std::string_view str() const { return {reply_->str, reply_->len}; }
    std::size_t size() const { return reply_->type == REDIS_REPLY_ARRAY ? reply_->elements : 0; }
    // Element i of an array reply, borrowed.
    const redisReply& at(std::size_t i) const { return *reply_->element[i]; }
    const redisReply* get() const { return reply_.get(); }

  private:
    struct Free {
        void operator()(redisReply* r) const { freeReplyObject(r); }
    };
    std::unique_ptr<redisReply, Free> reply_;
};

inline std::string_view str_of(const redisReply& r) {
    return {r.str, r.len};
}

using Command = std::vector<std::string>;

class Connection {
  public:
    // Connects, retrying for connect_timeout at most. Throws Error.
    Connection(const Url& url, std::chrono::milliseconds give_up,
               std::chrono::milliseconds connect_timeout = kDefaultRedisConnectTimeout);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Sends one command and returns its reply; an error reply throws Error.
    Reply run(const Command& command);
    // Sends the commands in one round trip; their replies, in order.
    std::vector<Reply> pipeline(const std::vector<Command>& commands);

    // A Lua script, loaded on every (re)connection; eval() runs it by its SHA1.
    std::size_t add_script(std::string source);
    Reply eval(std::size_t script, const std::vector<std::string>& keys,
               const std::vector<std::string>& args);

    // Incremented by every reconnection: a caller whose reply may have been lost then
    // re-reads the state it keeps in Redis.
    std::uint64_t generation() const { return generation_; }

  private:
    void connect_once(std::chrono::milliseconds timeout);  // throws Lost or Error
    // Retries until `limit` has passed since failing_since_; throws Error then.
    void reconnect(const std::string& why, std::chrono::milliseconds limit);
    void lost(const std::string& why);  // a command failed: reconnect within give_up
    std::vector<Reply> exchange(const std::vector<Command>& commands);

    struct FreeContext {
        void operator()(redisContext* c) const { redisFree(c); }  // closes its socket
    };

    Url url_;
    std::chrono::milliseconds give_up_;
    // Owned, so a constructor that throws (wrong password) still closes the socket.
    std::unique_ptr<redisContext, FreeContext> context_;  // null while disconnected
    std::uint64_t generation_ = 0;
    // When the current run of failures began; reset by the first reply after it.
    std::optional<std::chrono::steady_clock::time_point> failing_since_;
    std::vector<std::string> scripts_;  // sources
    std::vector<std::string> shas_;     // their SHA1s on the current connection
};

}  // namespace forkline::redis
