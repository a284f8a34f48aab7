// A worker's copy of its processing list (…:processing:W, docs/redis.md): the entries it
// claimed, oldest (the list's right end) first, each marked done once its result is out.
// Done entries leave the list from the right end only, in a run (the exchange script trims
// them after checking they are still there): O(1) per job, where removing entries from the
// middle would cost the whole list per batch. An entry done out of order waits until those
// older than it are done; if the host dies meanwhile it runs again elsewhere and its second
// result is dropped by the supervisor (results are deduplicated by job id).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace forkline::redis {

class ProcessingList {
  public:
    using Seq = std::uint64_t;  // an entry's number, never reused

    // A claimed entry, now the list's newest.
    Seq add(std::string_view entry) {
        slots_.push_back({identity(entry), false});
        return first_ + slots_.size() - 1;
    }
    // Its result is out (or it needs none): it may leave the list.
    void done(Seq seq) {
        if (seq >= first_ && seq - first_ < slots_.size()) slots_[seq - first_].done = true;
    }
    bool empty() const { return slots_.empty(); }

    // The oldest done entries, in a run (at most `most`): how many, and what identifies the
    // oldest and the newest of them (a job's "J<id>:<attempt>:" header, or the whole
    // entry). The exchange script trims them.
    struct Trim {
        std::size_t count = 0;
        std::string oldest, newest;
    };
    Trim trimmable(std::size_t most) const;
    // They left the list (or were found gone): forget them.
    void trimmed(std::size_t count) {
        for (; count > 0 && !slots_.empty(); --count) slots_.pop_front(), ++first_;
    }

    // After a reconnection: `list` is the processing list as Redis has it (left to right).
    // Our copy takes its order; entries we did not know (a claim whose reply was lost) are
    // returned with their new numbers, to be started; `moved` tells the callers the new
    // number of each entry they hold (old → new).
    struct Reconciled {
        std::vector<std::pair<Seq, std::string>> unknown;
        std::unordered_map<Seq, Seq> moved;
    };
    Reconciled reconcile(const std::vector<std::string>& list);

  private:
    // What tells an entry from the others: a job's "J<id>:<attempt>:" header (unique to
    // that attempt; a copy of the same job is the same job), or the whole entry.
    static std::string identity(std::string_view entry);

    struct Slot {
        std::string identity;  // short: no allocation for most
        bool done;
    };
    std::deque<Slot> slots_;
    Seq first_ = 0;  // the number of slots_.front()
};

}  // namespace forkline::redis
