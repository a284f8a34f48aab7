#include "processing_list.hpp"

#include "entry.hpp"

namespace forkline::redis {

std::vector<std::string> ProcessingList::trimmable(std::size_t most) const {
    std::vector<std::string> out;
    for (const auto& slot : slots_) {
        if (!slot.done || out.size() == most) break;
        const auto job = parse_job(slot.entry);
        // The header is unique to a job's attempt; a copy of the same job is the same job.
        out.emplace_back(job ? slot.entry.substr(0, slot.entry.size() - job->payload.size())
                             : slot.entry);
    }
    return out;
}

ProcessingList::Reconciled ProcessingList::reconcile(const std::vector<std::string>& list) {
    std::unordered_map<std::string_view, std::vector<Seq>> known;  // entry → its numbers
    for (std::size_t i = slots_.size(); i-- > 0;) known[slots_[i].entry].push_back(first_ + i);
    Reconciled out;
    std::deque<Slot> slots;
    const Seq first = first_ + slots_.size();  // numbers past every old one
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
        const Seq seq = first + slots.size();
        auto found = known.find(*it);
        if (found != known.end() && !found->second.empty()) {
            const Seq old = found->second.back();  // the oldest copy first
            found->second.pop_back();
            out.moved.emplace(old, seq);
            slots.push_back({*it, slots_[old - first_].done});
        } else {
            out.unknown.emplace_back(seq, *it);
            slots.push_back({*it, false});
        }
    }
    slots_ = std::move(slots);
    first_ = first;
    return out;
}

}  // namespace forkline::redis
