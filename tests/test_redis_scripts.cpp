// The protocol's Lua scripts (src/redis/scripts.hpp) against a private redis-server: the
// steps whose mistakes lose a job or hang a run, driven one call at a time.
#include <doctest/doctest.h>

#include "connection.hpp"
#include "keys.hpp"
#include "redis_server.hpp"
#include "scripts.hpp"

using forkline::redis::Command;
using forkline::redis::Connection;
using forkline::redis::RunKeys;
namespace scripts = forkline::redis::scripts;

namespace {

std::vector<std::string> list(Connection& conn, const std::string& key) {
    const auto reply = conn.run({"LRANGE", key, "0", "-1"});
    std::vector<std::string> out;
    for (std::size_t i = 0; i < reply.size(); ++i)
        out.emplace_back(forkline::redis::str_of(reply.at(i)));
    return out;
}

}  // namespace

TEST_CASE("exchange script resent after a lost reply: only the done entries it names leave") {
    test_support::RedisServer redis;
    Connection conn(forkline::redis::parse_url(redis.url()), std::chrono::seconds(2));
    const auto exchange = conn.add_script(scripts::kExchange);
    const RunKeys keys("q", "run");
    const std::vector<std::string> call_keys{keys.alive(), keys.processing("w"), keys.results(),
                                             keys.jobs(), keys.workers()};
    conn.run({"SET", keys.alive(), "1"});
    conn.run({"SADD", keys.workers(), "w"});
    // Oldest on the right: J1 then J2 were claimed, J3 after them.
    conn.run({"RPUSH", keys.processing("w"), "J3:1:c", "J2:1:b", "J1:1:a"});
    for (int call = 0; call < 2; ++call) {  // the second as a reconnection resends it
        INFO("call " << call);
        const auto reply = conn.eval(exchange, call_keys,
                                     {"w", "60000", "0", "10:R1:1:0:0:x", "1", "J1:1:", "J1:1:"});
        CHECK(reply.size() == 1);
        CHECK(list(conn, keys.processing("w")) == std::vector<std::string>{"J3:1:c", "J2:1:b"});
    }
    CHECK(conn.run({"XLEN", keys.results()}).integer() == 2);  // the supervisor drops one
    CHECK(conn.run({"PTTL", keys.results()}).integer() > 0);
    // A done entry that is not the oldest leaves nothing: J2 still runs.
    conn.eval(exchange, call_keys, {"w", "60000", "0", "", "1", "J3:1:", "J3:1:"});
    CHECK(list(conn, keys.processing("w")) == std::vector<std::string>{"J3:1:c", "J2:1:b"});
    // Claims: the oldest jobs, up to the sentinel, onto the left of processing.
    conn.run({"LPUSH", keys.jobs(), "J4:1:d", "S", "J5:1:e"});
    const auto claimed =
        conn.eval(exchange, call_keys, {"w", "60000", "10", "", "1", "J2:1:", "J2:1:"});
    REQUIRE(claimed.size() == 3);
    CHECK(forkline::redis::str_of(claimed.at(1)) == "J4:1:d");
    CHECK(forkline::redis::str_of(claimed.at(2)) == "S");
    CHECK(list(conn, keys.processing("w")) == std::vector<std::string>{"S", "J4:1:d", "J3:1:c"});
    CHECK(list(conn, keys.jobs()) == std::vector<std::string>{"J5:1:e"});
    CHECK(conn.run({"PTTL", keys.processing("w")}).integer() > 0);
    // Reaped: results still go out, nothing is claimed.
    conn.run({"SREM", keys.workers(), "w"});
    CHECK(conn.eval(exchange, call_keys, {"w", "60000", "10", "", "0", "", ""}).at(0).integer == 0);
    CHECK(list(conn, keys.jobs()) == std::vector<std::string>{"J5:1:e"});
    conn.run({"DEL", keys.alive()});
    CHECK(conn.eval(exchange, call_keys, {"w", "60000", "10", "", "0", "", ""}).integer() == -1);
}

TEST_CASE("reap script: a dead worker's sentinel goes back, a fresh one's is dropped") {
    test_support::RedisServer redis;
    Connection conn(forkline::redis::parse_url(redis.url()), std::chrono::seconds(2));
    const auto reap = conn.add_script(scripts::kReap);
    const RunKeys keys("q", "run");
    const auto call = [&](const std::string& w) {
        return conn
            .eval(reap,
                  {keys.workers(), keys.heartbeat(w), keys.processing(w), keys.jobs(),
                   keys.results(), keys.dead()},
                  {w, "3", "60000"})
            .integer();
    };
    // Live w1 holds its own sentinel; dead w2 (reaped while alive) took another one.
    conn.run({"SADD", keys.workers(), "w1"});
    conn.run({"SADD", keys.dead(), "w2"});
    conn.run({"RPUSH", keys.processing("w1"), "S", "J1:1:a"});
    conn.run({"RPUSH", keys.processing("w2"), "S", "J2:1:b"});
    CHECK(call("w1") == 1);
    CHECK(list(conn, keys.jobs()) == std::vector<std::string>{"J1:2:a"});
    CHECK(call("w2") == 0);
    CHECK(list(conn, keys.jobs()) == std::vector<std::string>{"J1:2:a", "J2:2:b", "S"});
    CHECK(conn.run({"PTTL", keys.jobs()}).integer() > 0);
    CHECK(conn.run({"SISMEMBER", keys.dead(), "w1"}).integer() == 1);
}
