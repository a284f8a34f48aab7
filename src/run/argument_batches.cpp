#include "argument_batches.hpp"

#include <utility>

namespace run {

ArgumentBatcher::ArgumentBatcher(const CommandTemplate& command, BatchSettings settings)
    : command_(command), settings_(settings) {}

std::optional<Arguments> ArgumentBatcher::add(std::vector<std::string> record) {
    const bool fill = settings_.fill_command_line;
    const auto extra = fill ? command_.record_size(record) : 0;
    std::optional<Arguments> complete;
    if (fill && !batch_.empty() && size_ + extra > kMaxCommandLine) complete = take();
    if (batch_.empty()) size_ = fill ? command_.base_size() : 0;
    batch_.push_back(std::move(record));
    size_ += extra;
    const bool full = (settings_.max_records != 0 && batch_.size() >= settings_.max_records) ||
                      (fill && size_ >= kMaxCommandLine);
    // A record too long for any line after an overflow waits for the next add() or finish().
    if (full && !complete) complete = take();
    return complete;
}

std::optional<Arguments> ArgumentBatcher::finish() {
    if (batch_.empty()) return std::nullopt;
    return take();
}

Arguments ArgumentBatcher::take() {
    Arguments taken;
    taken.swap(batch_);
    size_ = 0;
    return taken;
}

}  // namespace run
