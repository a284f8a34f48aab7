#include "wire.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace files {

namespace {

struct JobHeader {
    std::uint64_t offset;
    std::uint64_t length;
    std::uint64_t file_size;
    Reading reading;
};

struct ResultHeader {
    std::uint64_t bytes, lines, words, chars;
    std::uint8_t seen, first_is_word, ends_in_word, binary;
    std::uint32_t message_count;
    std::uint64_t binary_offset;
    std::uint64_t levels[4];
    std::uint64_t dropped_errors;
    std::uint32_t error_size;
};

class Writer {
  public:
    explicit Writer(std::span<std::byte> out) : out_(out) {}
    bool fits(std::size_t n) const { return size_ + n <= out_.size(); }
    void put(const void* data, std::size_t n) {
        if (!fits(n)) throw std::length_error("result does not fit");
        std::memcpy(out_.data() + size_, data, n);
        size_ += n;
    }
    std::size_t size() const { return size_; }

  private:
    std::span<std::byte> out_;
    std::size_t size_ = 0;
};

class Reader {
  public:
    explicit Reader(std::span<const std::byte> in) : in_(in) {}
    void get(void* into, std::size_t n) {
        if (n > in_.size() - at_) throw std::runtime_error("truncated files result");
        std::memcpy(into, in_.data() + at_, n);
        at_ += n;
    }
    std::string string(std::size_t n) {
        std::string s(n, '\0');
        get(s.data(), n);
        return s;
    }
    std::size_t left() const { return in_.size() - at_; }

  private:
    std::span<const std::byte> in_;
    std::size_t at_ = 0;
};

}  // namespace

std::vector<std::byte> encode_job(const ChunkJob& job) {
    if (sizeof(JobHeader) + job.path.size() > kMaxJobSize)
        throw std::length_error("path longer than " + std::to_string(kMaxJobSize - 64) + " bytes");
    const JobHeader header{job.offset, job.length, job.file_size, job.reading};
    std::vector<std::byte> bytes(sizeof header + job.path.size());
    std::memcpy(bytes.data(), &header, sizeof header);
    std::memcpy(bytes.data() + sizeof header, job.path.data(), job.path.size());
    return bytes;
}

ChunkJob decode_job(std::span<const std::byte> bytes) {
    Reader in(bytes);
    JobHeader header{};
    in.get(&header, sizeof header);
    return {in.string(in.left()), header.offset, header.length, header.file_size, header.reading};
}

std::size_t encode_result(const ChunkResult& result, std::span<std::byte> out) {
    const auto messages = top_messages(result.log.errors, kMaxMessagesPerResult);
    std::uint64_t dropped = result.log.dropped_errors;
    for (const auto& [message, n] : result.log.errors) dropped += n;
    for (const auto& m : messages) dropped -= m.count;

    ResultHeader header{};
    const TextCounts& t = result.text;
    header.bytes = t.bytes, header.lines = t.lines, header.words = t.words, header.chars = t.chars;
    header.seen = t.seen, header.first_is_word = t.first_is_word;
    header.ends_in_word = t.ends_in_word, header.binary = result.binary;
    header.binary_offset = result.binary_offset;
    for (std::size_t i = 0; i < 4; ++i) header.levels[i] = result.log.levels[i];
    const std::string error = result.error.substr(0, 1024);
    header.error_size = static_cast<std::uint32_t>(error.size());

    // Messages are at most kMessageMax bytes: 256 of them always fit in 64 KiB.
    Writer w(out);
    w.put(&header, sizeof header);
    w.put(error.data(), error.size());
    std::uint32_t written = 0;
    for (const auto& m : messages) {
        const auto size = static_cast<std::uint16_t>(m.message.size());
        if (!w.fits(sizeof m.count + sizeof size + size)) {
            dropped += m.count;
            continue;
        }
        w.put(&m.count, sizeof m.count);
        w.put(&size, sizeof size);
        w.put(m.message.data(), size);
        ++written;
    }
    header.message_count = written;
    header.dropped_errors = dropped;
    std::memcpy(out.data(), &header, sizeof header);  // now with the final counts
    return w.size();
}

ChunkResult decode_result(std::span<const std::byte> bytes) {
    Reader in(bytes);
    ResultHeader header{};
    in.get(&header, sizeof header);
    ChunkResult r;
    r.text = {header.bytes,
              header.lines,
              header.words,
              header.chars,
              header.seen != 0,
              header.first_is_word != 0,
              header.ends_in_word != 0};
    r.binary = header.binary != 0;
    r.binary_offset = header.binary_offset;
    for (std::size_t i = 0; i < 4; ++i) r.log.levels[i] = header.levels[i];
    r.log.dropped_errors = header.dropped_errors;
    r.error = in.string(header.error_size);
    for (std::uint32_t i = 0; i < header.message_count; ++i) {
        std::uint64_t count = 0;
        std::uint16_t size = 0;
        in.get(&count, sizeof count);
        in.get(&size, sizeof size);
        r.log.errors.emplace(in.string(size), count);
    }
    if (in.left() != 0) throw std::runtime_error("trailing bytes in files result");
    return r;
}

}  // namespace files
