// How GNU wc 9.1 (LC_ALL=C.UTF-8) sees characters: which byte sequences are characters and
// which characters separate words, continue them, or do neither.
#pragma once

#include <cstddef>
#include <cstdint>

namespace files {

// A character's effect on word counting, as in wc: separators end a word, word characters
// start or continue one, neutral ones (non-printable: controls, U+2028, unassigned, invalid
// bytes) do neither, so "a\x01b" is one word.
enum class CharClass : std::uint8_t { neutral = 0, separator = 1, word = 2 };

// The class of code point `cp`: iswprint/iswspace of glibc's C.UTF-8 locale, plus wc's
// non-breaking spaces (U+00A0, U+2007, U+202F, U+2060) as separators. Thread-safe.
CharClass class_of(std::uint32_t cp);

// The same from a table generated from glibc 2.36's C.UTF-8 (scripts/char_class_ranges.cpp):
// class_of on Windows, which has no such locale; test_files checks it against the locale.
CharClass class_from_table(std::uint32_t cp);

// The class of an ASCII byte, as a table (no locale lookup on the hot path).
extern const CharClass kAsciiClass[128];

// Decodes the character starting at p (at most `available` bytes readable) the way glibc's
// mbrtowc does in C.UTF-8: 1–6 byte sequences up to 0x7FFFFFFF, no overlong forms, no
// surrogates. Returns its length and sets *cp, or 0 if no valid character starts at p (wc
// then counts the byte as neither a character nor part of a word).
inline std::size_t decode_utf8(const unsigned char* p, std::size_t available, std::uint32_t* cp) {
    const unsigned char lead = p[0];
    std::size_t length;
    std::uint32_t value;
    std::uint32_t min;
    if (lead < 0x80) {
        *cp = lead;
        return 1;
    } else if (lead < 0xC2) {
        return 0;  // continuation byte, or C0/C1 (always overlong)
    } else if (lead < 0xE0) {
        length = 2, value = lead & 0x1F, min = 0x80;
    } else if (lead < 0xF0) {
        length = 3, value = lead & 0x0F, min = 0x800;
    } else if (lead < 0xF8) {
        length = 4, value = lead & 0x07, min = 0x10000;
    } else if (lead < 0xFC) {
        length = 5, value = lead & 0x03, min = 0x200000;
    } else if (lead < 0xFE) {
        length = 6, value = lead & 0x01, min = 0x4000000;
    } else {
        return 0;
    }
    if (available < length) return 0;
    for (std::size_t i = 1; i < length; ++i) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        value = (value << 6) | (p[i] & 0x3F);
    }
    if (value < min || (value >= 0xD800 && value <= 0xDFFF)) return 0;
    *cp = value;
    return length;
}

}  // namespace files
