#include "record_reader.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "input_ready.hpp"
#include "open_file.hpp"
#include "platform.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace run {

namespace {

constexpr std::size_t kReadBytes = 64 * 1024;

std::string reason(int error) {
    return std::strerror(error);
}

}  // namespace

RecordReader::RecordReader(const std::string& path, std::string separator)
    : fd_(STDIN_FILENO),
      name_(path == "-" ? "standard input" : cli::quoted(path)),
      separator_(std::move(separator)) {
    if (path != "-") {
        owned_ = forkline::open_for_reading(path);
        if (!owned_.valid())
            throw std::runtime_error("cannot read " + name_ + ": " + reason(errno));
        fd_ = owned_.get();
    }
}

bool RecordReader::fill(int timeout_ms) {
    if (!input_ready(fd_, timeout_ms)) return false;  // nothing yet, or EINTR
    pending_.erase(0, start_);
    scanned_ -= std::min(scanned_, start_);
    start_ = 0;
    const auto old_size = pending_.size();
    pending_.resize(old_size + kReadBytes);
    const auto n = ::read(fd_, pending_.data() + old_size, kReadBytes);
    pending_.resize(old_size + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    if (n < 0 && errno == EINTR) return false;
    if (n < 0) throw std::runtime_error("cannot read " + name_ + ": " + reason(errno));
    if (n == 0) eof_ = true;
    return true;
}

std::optional<Record> RecordReader::take() {
    while (true) {
        const auto from = std::max(start_, scanned_);
        const auto at = pending_.find(separator_, from);
        if (at == std::string::npos) {
            // The tail may hold the start of a separator: look at it again next time.
            scanned_ =
                std::max(from, pending_.size() - std::min(pending_.size(), separator_.size() - 1));
            const auto held = pending_.size() - start_;
            if (skipping_) {  // drop what was read of the long record, keep a possible
                              // separator start
                start_ = std::max(start_, scanned_);
                if (eof_) start_ = pending_.size(), skipping_ = false;
                return std::nullopt;
            }
            if (held > kMaxRecordBytes) {
                skipping_ = true;
                start_ = scanned_;
                return Record{{}, ++number_, true};
            }
            if (eof_ && held > 0) {
                auto record = make_record(start_, pending_.size());
                start_ = scanned_ = pending_.size();
                return record;
            }
            return std::nullopt;
        }
        const auto begin = start_;
        start_ = scanned_ = at + separator_.size();
        if (skipping_) {
            skipping_ = false;
            continue;
        }
        if (at - begin > kMaxRecordBytes) return Record{{}, ++number_, true};
        return make_record(begin, at);
    }
}

Record RecordReader::make_record(std::size_t begin, std::size_t end) {
    // Windows' text files end their lines in CR LF: a line is what comes before them.
    if (forkline::kWindows && separator_ == "\n" && end > begin && pending_[end - 1] == '\r') --end;
    return Record{pending_.substr(begin, end - begin), ++number_};
}

std::optional<Record> RecordReader::next() {
    while (true) {
        if (auto record = take()) return record;
        if (eof_ || !fill(0)) return std::nullopt;
    }
}

std::optional<Record> RecordReader::next_waiting() {
    while (true) {
        if (auto record = take()) return record;
        if (eof_) return std::nullopt;
        fill(-1);
    }
}

std::vector<std::string> RecordReader::read_all() {
    std::vector<std::string> records;
    while (auto record = next_waiting()) {
        if (record->too_long)
            throw std::runtime_error(name_ + ": record " + std::to_string(record->number) +
                                     " is longer than 1 MiB");
        records.push_back(std::move(record->text));
    }
    return records;
}

std::string parse_delimiter(const std::string& text) {
    std::string delimiter;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            delimiter += text[i];
            continue;
        }
        switch (text[++i]) {
            case 'n':
                delimiter += '\n';
                break;
            case 't':
                delimiter += '\t';
                break;
            case 'r':
                delimiter += '\r';
                break;
            case '0':
                delimiter += '\0';
                break;
            case '\\':
                delimiter += '\\';
                break;
            default:
                throw cli::UsageError("-d: unknown escape " + cli::quoted(text.substr(i - 1, 2)) +
                                      " (known: \\n \\t \\r \\0 \\\\)");
        }
    }
    if (delimiter.empty()) throw cli::UsageError("-d needs a delimiter");
    return delimiter;
}

}  // namespace run
