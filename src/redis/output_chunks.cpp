#include "output_chunks.hpp"

#include <unistd.h>

#include <algorithm>
#include <forkline/error.hpp>

#include "connection.hpp"
#include "ids.hpp"
#include "keys.hpp"
#include "os_error.hpp"
#include "url.hpp"

namespace forkline::redis {

namespace {

std::string leftover_ttl() {
    return std::to_string(kLeftoverTtl.count());
}

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const auto n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw_os_error("cannot write a job's output");
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

OutputChunks::OutputChunks(std::string url, std::chrono::milliseconds give_up)
    : url_(std::move(url)), give_up_(give_up) {}

OutputChunks::~OutputChunks() = default;

Connection& OutputChunks::connection() {
    // The first connection may be tried as long as a lost one: a command worker's first
    // job can come while Redis restarts.
    if (!connection_)
        connection_ = std::make_unique<Connection>(parse_url(url_), give_up_, give_up_);
    return *connection_;
}

std::string OutputChunks::send(const std::string& base, std::span<const File> files) {
    auto& conn = connection();
    const std::string id = random_hex(8);
    const std::string key = base + "output:" + id;
    // Registered first: whatever an attempt killed mid-send leaves is deleted at the run's end.
    conn.pipeline({{"SADD", base + "outputs", id}, {"PEXPIRE", base + "outputs", leftover_ttl()}});
    std::string chunk;
    std::size_t number = 0;
    const auto flush = [&] {
        conn.pipeline(
            {{"HSET", key, std::to_string(number++), chunk}, {"PEXPIRE", key, leftover_ttl()}});
        chunk.clear();
    };
    for (const auto& file : files) {
        for (std::uint64_t offset = 0; offset < file.bytes;) {
            const auto used = chunk.size();
            const auto want =
                std::min<std::uint64_t>(kOutputChunkBytes - used, file.bytes - offset);
            chunk.resize(used + want);
            const auto n = ::pread(file.fd, chunk.data() + used, want, static_cast<off_t>(offset));
            if (n < 0 && errno == EINTR) {
                chunk.resize(used);
                continue;
            }
            if (n < 0) throw_os_error("cannot read a job's output");
            if (n == 0) throw Error("a job's output file is shorter than it was");
            chunk.resize(used + static_cast<std::size_t>(n));
            offset += static_cast<std::uint64_t>(n);
            if (chunk.size() == kOutputChunkBytes) flush();
        }
    }
    if (!chunk.empty()) flush();
    return id;
}

void OutputChunks::receive(const std::string& base, std::string_view id, std::uint64_t out_bytes,
                           int out_fd, std::uint64_t err_bytes, int err_fd) {
    auto& conn = connection();
    const std::string key = base + "output:" + std::string(id);
    for (std::size_t number = 0; out_bytes + err_bytes > 0; ++number) {
        const auto field = std::to_string(number);
        const auto reply = conn.run({"HGET", key, field});
        if (reply.nil())
            throw Error("chunk " + field + " of output " + std::string(id) +
                        " is gone from Redis (expired or deleted)");
        auto data = reply.str();
        for (auto [left, fd] : {std::pair{&out_bytes, out_fd}, std::pair{&err_bytes, err_fd}}) {
            const auto part = std::min<std::uint64_t>(*left, data.size());
            write_all(fd, data.substr(0, part));
            data.remove_prefix(part);
            *left -= part;
        }
        conn.run({"HDEL", key, field});  // memory in Redis bounded as on both hosts
    }
    conn.pipeline({{"DEL", key}, {"SREM", base + "outputs", std::string(id)}});
}

void OutputChunks::remove_all(const std::string& base) {
    auto& conn = connection();
    const auto ids = conn.run({"SMEMBERS", base + "outputs"});
    Command del{"DEL", base + "outputs", base + "stop"};
    for (std::size_t i = 0; i < ids.size(); ++i)
        del.push_back(base + "output:" + std::string(str_of(ids.at(i))));
    conn.run(del);
}

void OutputChunks::request_stop(const std::string& base) {
    connection().run({"SET", base + "stop", "1", "PX", leftover_ttl()});
}

bool OutputChunks::stop_requested(const std::string& base) {
    return connection().run({"EXISTS", base + "stop"}).integer() == 1;
}

}  // namespace forkline::redis
