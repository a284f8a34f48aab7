#include "processing_list.hpp"

#include "entry.hpp"

namespace forkline::redis {

std::string ProcessingList::identity(std::string_view entry) {
    const auto job = parse_job(entry);
    return std::string(job ? entry.substr(0, entry.size() - job->payload.size()) : entry);
}

ProcessingList::Trim ProcessingList::trimmable(std::size_t most) const {
    Trim trim;
    while (trim.count < slots_.size() && trim.count < most && slots_[trim.count].done) ++trim.count;
    if (trim.count > 0) {
        trim.oldest = slots_.front().identity;
        trim.newest = slots_[trim.count - 1].identity;
    }
    return trim;
}

ProcessingList::Reconciled ProcessingList::reconcile(const std::vector<std::string>& list) {
    std::unordered_map<std::string_view, std::vector<Seq>> known;  // identity → its numbers
    for (std::size_t i = slots_.size(); i-- > 0;) known[slots_[i].identity].push_back(first_ + i);
    Reconciled out;
    std::deque<Slot> slots;
    const Seq first = first_ + slots_.size();  // numbers past every old one
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
        const Seq seq = first + slots.size();
        auto id = identity(*it);
        auto found = known.find(id);
        if (found != known.end() && !found->second.empty()) {
            const Seq old = found->second.back();  // the oldest copy first
            found->second.pop_back();
            out.moved.emplace(old, seq);
            slots.push_back({std::move(id), slots_[old - first_].done});
        } else {
            out.unknown.emplace_back(seq, *it);
            slots.push_back({std::move(id), false});
        }
    }
    slots_ = std::move(slots);
    first_ = first;
    return out;
}

}  // namespace forkline::redis
