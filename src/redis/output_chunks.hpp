// Command outputs of any size across hosts (`forkline run --redis`): the worker host sends a
// job's stdout and stderr in chunks of at most kOutputChunkBytes, the submitting host
// fetches them one chunk at a time and removes each as it is written out, so neither side
// holds more than one chunk in memory (docs/redis.md, "Outputs").
//
// Keys, under a run's base forkline:{QUEUE}:{RUN}: (keys.hpp):
//   …:output:ID   hash, field N = chunk N (0, 1, …) of one attempt's output: stdout then
//                 stderr, back to back; ID is the sender's random id, so that two attempts of
//                 one job (a host reaped by mistake) never write into each other
//   …:outputs     set of the IDs sent in this run: the submitter deletes them at its end
//   …:stop        string: the submitter asks the worker hosts to start nothing new
// Each write is safe to send twice (HSET of a numbered field, SADD), as every Redis
// command of forkline (a connection that is lost is retried and the command resent).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace forkline::redis {

class Connection;

inline constexpr std::size_t kOutputChunkBytes = 1 << 20;
// A job's stdout and stderr together, by default, at most (forkline run --max-output).
inline constexpr std::uint64_t kDefaultMaxOutputBytes = std::uint64_t{1} << 30;

// One Redis connection, made at the first call that needs it (a worker that never runs a
// remote job never connects). Throws Error when Redis stays unreachable past `give_up`.
class OutputChunks {
  public:
    explicit OutputChunks(std::string url,
                          std::chrono::milliseconds give_up = std::chrono::seconds(15));
    ~OutputChunks();
    OutputChunks(const OutputChunks&) = delete;
    OutputChunks& operator=(const OutputChunks&) = delete;

    // An open file whose first `bytes` bytes are sent.
    struct File {
        int fd = -1;
        std::uint64_t bytes = 0;
    };
    // Worker side: sends `files` (read with pread from offset 0, one after the other) as
    // one output of the run `base`; returns its ID.
    std::string send(const std::string& base, std::span<const File> files);

    // Submitter side: writes output `id` of run `base` into `out_fd` (its first
    // `out_bytes`) and `err_fd` (the `err_bytes` after them), removing each chunk once
    // written. Throws Error when a chunk is missing (the output expired or was deleted).
    void receive(const std::string& base, std::string_view id, std::uint64_t out_bytes, int out_fd,
                 std::uint64_t err_bytes, int err_fd);

    // Submitter side: deletes every output of run `base` that was not received (those of
    // attempts whose result was a duplicate), then its set of IDs, and its stop key.
    void remove_all(const std::string& base);

    // The stop flag: set by the submitter (no new starts), read by the worker before each job.
    void request_stop(const std::string& base);
    bool stop_requested(const std::string& base);

  private:
    Connection& connection();

    std::string url_;
    std::chrono::milliseconds give_up_;
    std::unique_ptr<Connection> connection_;
};

}  // namespace forkline::redis
