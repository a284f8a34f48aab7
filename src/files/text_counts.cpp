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
std::uint64_t movemask64(const __m128i (&v)[4]) {
    std::uint64_t mask = 0;
    for (int i = 0; i < 4; ++i)
        mask |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(v[i])))
                << (16 * i);
    return mask;
}

// 64 bytes at data[p] by bit masks, when they hold no neutral character (the usual case
// in text): ASCII, and UTF-8 characters that are valid word characters (each decoded once,
// at its lead byte). Returns the bytes consumed (64, plus the tail of a character that runs
// past them), or 0, touching nothing, when the block needs the byte-by-byte path.
std::size_t count_fast_block(const unsigned char* data, std::size_t p, std::size_t size,
                             TextCounts& counts) {
    __m128i space[4], neutral[4], high[4], continuation[4];
    for (int i = 0; i < 4; ++i) {
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + p + 16 * i));
        const __m128i control_space = _mm_and_si128(_mm_cmpgt_epi8(b, _mm_set1_epi8(8)),
                                                    _mm_cmplt_epi8(b, _mm_set1_epi8(14)));
        space[i] = _mm_or_si128(control_space, _mm_cmpeq_epi8(b, _mm_set1_epi8(32)));
        // Signed: bytes >= 0x80 are negative, so "below 32" must exclude them.
        const __m128i ascii_below_32 = _mm_and_si128(_mm_cmplt_epi8(b, _mm_set1_epi8(32)),
                                                     _mm_cmpgt_epi8(b, _mm_set1_epi8(-1)));
        neutral[i] = _mm_or_si128(_mm_andnot_si128(control_space, ascii_below_32),
                                  _mm_cmpeq_epi8(b, _mm_set1_epi8(0x7F)));
        high[i] = _mm_cmplt_epi8(b, _mm_setzero_si128());
        continuation[i] = _mm_cmplt_epi8(b, _mm_set1_epi8(static_cast<char>(0xC0)));
    }
    if (movemask64(neutral) != 0) return 0;
    std::size_t consumed = 64;
    const std::uint64_t cont = movemask64(continuation);  // 0x80..0xBF
    std::uint64_t covered = 0;                            // continuations of valid characters
    for (std::uint64_t leads = movemask64(high) & ~cont; leads != 0; leads &= leads - 1) {
        const int i = std::countr_zero(leads);
        std::uint32_t cp = 0;
        const std::size_t length = decode_utf8(data + p + i, size - p - i, &cp);
        if (length == 0 || class_of(cp) != CharClass::word) return 0;
        const std::size_t end = static_cast<std::size_t>(i) + length;
        covered |= (end >= 64 ? ~0ull : (1ull << end) - 1) & ~((2ull << i) - 1);
        if (end > consumed) consumed = end;
    }
    if (cont != covered) return 0;  // a stray continuation byte: neutral, not a word byte
    const std::uint64_t word = ~movemask64(space);
    const std::uint64_t starts = word & ~((word << 1) | (counts.ends_in_word ? 1 : 0));
    counts.words += static_cast<std::uint64_t>(std::popcount(starts));
    if (!counts.seen) {
        counts.seen = true;
        counts.first_is_word = (word & 1) != 0;
    }
    counts.ends_in_word = (word >> 63) != 0;
    counts.chars += 64 - static_cast<std::uint64_t>(std::popcount(cont));
    return consumed;
}
#endif

}  // namespace

void count_text(const unsigned char* data, std::size_t own, std::size_t size, TextCounts& counts) {
    counts.bytes += own;
    std::size_t p = 0;
    while (p < own) {
#if defined(__SSE2__)
        if (p + 64 <= own) {
            if (const std::size_t n = count_fast_block(data, p, size, counts)) {
                p += n;
                continue;
            }
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
