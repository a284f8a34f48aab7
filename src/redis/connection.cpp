#include "connection.hpp"

#include <algorithm>
#include <cstdio>
#include <forkline/error.hpp>
#include <system_error>
#include <thread>

#include "sigpipe_blocked.hpp"
#include "tcp.hpp"

namespace forkline::redis {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The connection is gone or the server is not ready yet: worth another try.
struct Lost : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Blocking commands here wait at most 1 s; a reply slower than this means a dead server.
constexpr milliseconds kReadTimeout{10'000};

// Errors a restarting server gives before it serves again.
bool transient(std::string_view error) {
    return error.starts_with("LOADING") || error.starts_with("BUSY") ||
           error.starts_with("MASTERDOWN") || error.starts_with("TRYAGAIN");
}

void throw_reply_error(std::string_view error, const Command& command) {
    if (transient(error)) throw Lost(std::string(error));
    // The command and its first keys, short: enough to see which step failed. AUTH's
    // arguments are the credentials: never shown.
    std::string what = "Redis";
    const std::size_t shown = command.front() == "AUTH" ? 1 : 6;
    for (std::size_t i = 0; i < command.size() && i < shown; ++i) {
        what.push_back(' ');
        const bool script =
            (i == 1 && command[0] == "EVALSHA") || (i == 2 && command[0] == "SCRIPT");
        what.append(script ? "<script>" : command[i].substr(0, 60));  // a script: many lines
    }
    throw Error(what + " failed: " + std::string(error));
}

}  // namespace

Connection::Connection(const Url& url, milliseconds give_up, milliseconds connect_timeout)
    : url_(url), give_up_(give_up) {
    failing_since_ = Clock::now();
    reconnect("", connect_timeout);
}

void Connection::connect_once(milliseconds timeout) {
    context_.reset();
    UniqueFd fd;
    try {
        fd = tcp_connect(url_.host, url_.port, std::max(timeout, milliseconds(1)));
    } catch (const std::runtime_error& e) {  // refused, timed out, not resolved: retried
        throw Lost(e.what());
    }
    context_.reset(redisConnectFd(fd.get()));  // takes the fd: redisFree closes it
    if (!context_) throw Error("out of memory for a Redis connection");
    fd.release();
    if (context_->err) throw Lost(context_->errstr);
    const timeval tv{kReadTimeout.count() / 1000, 0};
    redisSetTimeout(context_.get(), tv);
    std::vector<Command> setup;
    if (!url_.password.empty()) {
        setup.push_back(url_.user.empty() ? Command{"AUTH", url_.password}
                                          : Command{"AUTH", url_.user, url_.password});
    }
    if (url_.db != 0) setup.push_back({"SELECT", std::to_string(url_.db)});
    for (const auto& source : scripts_) setup.push_back({"SCRIPT", "LOAD", source});
    const auto replies = exchange(setup);
    shas_.clear();
    for (std::size_t i = replies.size() - scripts_.size(); i < replies.size(); ++i)
        shas_.emplace_back(replies[i].str());
}

void Connection::lost(const std::string& why) {
    if (!failing_since_) failing_since_ = Clock::now();
    reconnect(why, give_up_);
}

void Connection::reconnect(const std::string& why, milliseconds limit) {
    const auto deadline = *failing_since_ + limit;
    milliseconds delay{50};
    std::string last = why;
    for (;;) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        if (left.count() > 0) {
            try {
                connect_once(left);
                ++generation_;
                return;
            } catch (const Lost& e) {
                last = e.what();
            }
        }
        if (Clock::now() >= deadline) {
            context_.reset();
            const auto tried = std::chrono::duration<double>(limit).count();
            char seconds[32];
            std::snprintf(seconds, sizeof seconds, "%g", tried);
            throw Error("Redis at " + url_.host + ":" + std::to_string(url_.port) +
                        " unreachable: " + last + " (gave up after " + seconds + " s of retries)");
        }
        std::this_thread::sleep_for(std::min(
            delay,
            std::chrono::duration_cast<milliseconds>(deadline - Clock::now()) + milliseconds(1)));
        delay = std::min(delay * 2, milliseconds{1000});
    }
}

// One round trip on the current connection; Lost if it broke.
std::vector<Reply> Connection::exchange(const std::vector<Command>& commands) {
    if (!context_) throw Lost("not connected");
    const SigpipeBlocked sigpipe_blocked;  // a server gone mid-write: EPIPE, then reconnect
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& command : commands) {
        argv.clear();
        lengths.clear();
        for (const auto& arg : command) {
            argv.push_back(arg.data());
            lengths.push_back(arg.size());
        }
        if (redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(),
                                   lengths.data()) != REDIS_OK)
            throw Lost(context_->errstr);
    }
    std::vector<Reply> replies;
    replies.reserve(commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i) {
        void* raw = nullptr;
        if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr)
            throw Lost(context_->err ? context_->errstr : "connection closed");
        replies.emplace_back(static_cast<redisReply*>(raw));
    }
    // Errors are checked once every reply is read, so the connection stays in step.
    for (std::size_t i = 0; i < replies.size(); ++i) {
        const auto* r = replies[i].get();
        if (r->type == REDIS_REPLY_ERROR) throw_reply_error(replies[i].str(), commands[i]);
    }
    return replies;
}

std::vector<Reply> Connection::pipeline(const std::vector<Command>& commands) {
    for (;;) {
        try {
            auto replies = exchange(commands);
            failing_since_.reset();  // the server answered (the set-up exchange does not count)
            return replies;
        } catch (const Lost& e) {
            lost(e.what());
        }
    }
}

Reply Connection::run(const Command& command) {
    return std::move(pipeline({command}).front());
}

std::size_t Connection::add_script(std::string source) {
    scripts_.push_back(std::move(source));
    const auto sha = run({"SCRIPT", "LOAD", scripts_.back()});
    // A reconnection inside run() loaded it already, with the others.
    if (shas_.size() < scripts_.size()) shas_.emplace_back(sha.str());
    return scripts_.size() - 1;
}

Reply Connection::eval(std::size_t script, const std::vector<std::string>& keys,
                       const std::vector<std::string>& args) {
    Command command{"EVALSHA", "", std::to_string(keys.size())};
    command.insert(command.end(), keys.begin(), keys.end());
    command.insert(command.end(), args.begin(), args.end());
    for (;;) {
        command[1] = shas_.at(script);
        try {
            auto reply = std::move(exchange({command}).front());
            failing_since_.reset();
            return reply;
        } catch (const Lost& e) {
            lost(e.what());  // reloads the scripts
        } catch (const Error& e) {
            // Someone ran SCRIPT FLUSH: load them again.
            if (std::string_view(e.what()).find("NOSCRIPT") == std::string_view::npos) throw;
            lost("NOSCRIPT");
        }
    }
}

}  // namespace forkline::redis
