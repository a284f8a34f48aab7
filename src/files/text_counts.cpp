#include "text_counts.hpp"

#include <bit>

#include "char_class.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace files {

TextCounts merge(const TextCounts& before, const TextCounts& after) {
    TextCounts sum;
    sum.bytes = before.bytes + after.bytes;
    sum.lines = before.lines + after.lines;
    sum.chars = before.chars + after.chars;
    const bool joined = before.ends_in_word && after.seen && after.first_is_word;
    sum.words = before.words + after.words - (joined ? 1 : 0);
    sum.seen = before.seen || after.seen;
    sum.first_is_word = before.seen ? before.first_is_word : after.first_is_word;
    sum.ends_in_word = after.seen ? after.ends_in_word : before.ends_in_word;
    return sum;
}

namespace {

#if defined(__SSE2__)
// 64 ASCII bytes with no neutral byte (the usual case in text): words from bit masks.
// Returns false, touching nothing, when the block needs the byte-by-byte path.
bool count_ascii_block(const unsigned char* p, TextCounts& counts) {
    std::uint64_t space = 0;
    for (int i = 0; i < 4; ++i) {
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
        // Bytes >= 0x80 are negative as signed: they fail the check below via `high`.
        const __m128i high = b;
        const __m128i control_space = _mm_and_si128(_mm_cmpgt_epi8(b, _mm_set1_epi8(8)),
                                                    _mm_cmplt_epi8(b, _mm_set1_epi8(14)));
        const __m128i is_space = _mm_or_si128(control_space, _mm_cmpeq_epi8(b, _mm_set1_epi8(32)));
        const __m128i below_32 = _mm_cmplt_epi8(b, _mm_set1_epi8(32));
        const __m128i neutral = _mm_or_si128(_mm_andnot_si128(control_space, below_32),
                                             _mm_cmpeq_epi8(b, _mm_set1_epi8(0x7F)));
        if (_mm_movemask_epi8(_mm_or_si128(high, neutral)) != 0) return false;
        space |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(is_space)))
                 << (16 * i);
    }
    const std::uint64_t word = ~space;
    const std::uint64_t starts = word & ~((word << 1) | (counts.ends_in_word ? 1 : 0));
    counts.words += static_cast<std::uint64_t>(std::popcount(starts));
    if (!counts.seen) {
        counts.seen = true;
        counts.first_is_word = (word & 1) != 0;
    }
    counts.ends_in_word = (word >> 63) != 0;
    counts.chars += 64;
    return true;
}
#endif

}  // namespace

void count_text(const unsigned char* data, std::size_t own, std::size_t size, TextCounts& counts) {
    counts.bytes += own;
    std::size_t p = 0;
    while (p < own) {
#if defined(__SSE2__)
        if (p + 64 <= own && count_ascii_block(data + p, counts)) {
            p += 64;
            continue;
        }
#endif
        // One character (or one byte that is none) at a time, up to the next 64-byte block.
        const std::size_t stop = p + 64 < own ? p + 64 : own;
        while (p < stop) {
            CharClass c;
            if (data[p] < 0x80) {
                c = kAsciiClass[data[p]];
                ++counts.chars;
                ++p;
            } else {
                std::uint32_t cp = 0;
                const std::size_t length = decode_utf8(data + p, size - p, &cp);
                if (length == 0) {
                    c = CharClass::neutral;
                    ++p;
                } else {
                    c = class_of(cp);
                    ++counts.chars;
                    p += length;
                }
            }
            if (c == CharClass::neutral) continue;
            const bool word = c == CharClass::word;
            if (!counts.seen) {
                counts.seen = true;
                counts.first_is_word = word;
            }
            if (word && !counts.ends_in_word) ++counts.words;
            counts.ends_in_word = word;
        }
    }
}

}  // namespace files
