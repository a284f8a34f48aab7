#include "char_class.hpp"

#include <algorithm>
#include <iterator>

namespace files {

namespace {

struct ClassRun {
    std::uint32_t first;  // code point
    int char_class;       // a CharClass, as the generator prints it
};

constexpr ClassRun kRuns[] = {
#include "char_class_ranges.inc"
};

constexpr CharClass N = CharClass::neutral;
constexpr CharClass S = CharClass::separator;
constexpr CharClass W = CharClass::word;

}  // namespace

// wc's switch: \t \n \v \f \r and space separate; other controls and DEL are not printable.
const CharClass kAsciiClass[128] = {
    N, N, N, N, N, N, N, N, N, S, S, S, S, S, N, N,  // 0x00
    N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N,  // 0x10
    S, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,  // 0x20
    W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,  // 0x30
    W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,  // 0x40
    W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,  // 0x50
    W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,  // 0x60
    W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, N,  // 0x70
};

CharClass class_from_table(std::uint32_t cp) {
    if (cp < 0x80) return kAsciiClass[cp];
    if (cp > 0x10FFFF) return N;
    const auto after =
        std::upper_bound(std::begin(kRuns), std::end(kRuns), cp,
                         [](std::uint32_t c, const ClassRun& run) { return c < run.first; });
    return static_cast<CharClass>(std::prev(after)->char_class);
}

}  // namespace files
