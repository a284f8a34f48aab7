// Splits an input (a file, a FIFO, a pipe, stdin) into records as its bytes arrive, without
// ever waiting for them: a record is handed out as soon as its separator has been read. Only
// the records not handed out yet are held, at most one read's worth (64 KiB) plus the
// record being completed, so memory does not grow with the input.
//
// The fd stays blocking (stdin may be shared with other processes: O_NONBLOCK would change
// it for them too); it is read only when poll(2) says it is readable, so a read returns at
// once. (Should another process read the same pipe at the same instant, the read waits for
// the next bytes, as any blocking reader would.)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "unique_fd.hpp"

namespace run {

// A record longer than this becomes an error job ("line N: longer than 1 MiB"): a job
// could not hold it anyway, and the reader's memory stays bounded.
constexpr std::size_t kMaxRecordBytes = 1 << 20;

struct Record {
    std::string text;        // without its separator
    std::size_t number = 0;  // 1-based position in its input
    bool too_long = false;   // text was cut: the record exceeded kMaxRecordBytes
};

class RecordReader {
  public:
    // Reads `path` ("-": standard input, not closed here) split at `separator` (non-empty);
    // on Windows a line ("\n") ending in CR ("\r\n") is taken without it.
    // Throws std::runtime_error "cannot read 'PATH': REASON".
    RecordReader(const std::string& path, std::string separator);
    RecordReader(RecordReader&&) = default;
    RecordReader& operator=(RecordReader&&) = default;

    // The next complete record if there is one now (a last record without a separator
    // counts once the input has ended); never waits. Throws on a read error.
    std::optional<Record> next();
    // Like next(), but waits for the input when needed; nullopt only at its end.
    std::optional<Record> next_waiting();
    // Every record still to come (waits for the end of the input).
    std::vector<std::string> read_all();

    bool ended() const { return eof_ && start_ == pending_.size(); }  // every record handed out
    int fd() const { return fd_; }  // readable: next() may have more
    const std::string& name() const { return name_; }

  private:
    bool fill(int timeout_ms);  // one read when readable; false if nothing was read
    std::optional<Record> take();
    Record make_record(std::size_t begin, std::size_t end);  // pending_[begin, end), numbered

    forkline::UniqueFd owned_;  // the opened file; empty for stdin
    int fd_;
    std::string name_;
    std::string separator_;
    std::string pending_;  // bytes read; pending_[start_, end) not handed out yet
    std::size_t start_ = 0;
    std::size_t scanned_ = 0;  // pending_[start_, scanned_) holds no separator
    std::size_t number_ = 0;
    bool skipping_ = false;  // dropping the rest of a record that was too long
    bool eof_ = false;
};

// -d's argument: the delimiter with \n \t \r \0 \\ (and \xHH) written as escapes, as GNU
// parallel takes it. Throws cli::UsageError when empty or malformed.
std::string parse_delimiter(const std::string& text);

}  // namespace run
