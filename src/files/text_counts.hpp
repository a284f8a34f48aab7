// wc's counts of a byte range, mergeable: the counts of a file split into ranges, merged
// in order, equal those of the whole file (`LC_ALL=C.UTF-8 wc -lwmc`).
#pragma once

#include <cstddef>
#include <cstdint>

namespace files {

struct TextCounts {
    std::uint64_t bytes = 0;
    std::uint64_t lines = 0;  // '\n' bytes
    std::uint64_t words = 0;  // word starts, counting the range as if a separator preceded it
    std::uint64_t chars = 0;  // valid UTF-8 characters starting in the range
    // Word state at the edges, to join a word cut by a range boundary: whether the range has
    // any separator or word character, whether the first one is a word character, and whether
    // the range ends inside a word (neutral characters keep the state they find).
    bool seen = false;
    bool first_is_word = false;
    bool ends_in_word = false;

    bool operator==(const TextCounts&) const = default;
};

// The counts of `after`, appended to `before`.
TextCounts merge(const TextCounts& before, const TextCounts& after);

// Adds the counts of data[0, own) to `counts` (words and edges continue from its state).
// Bytes data[own, size) are only looked at to finish a character that starts before `own`;
// a range starting inside a character skips its continuation bytes, as they are no
// character by themselves. Lines are not counted here (see count_lines).
void count_text(const unsigned char* data, std::size_t own, std::size_t size, TextCounts& counts);

}  // namespace files
