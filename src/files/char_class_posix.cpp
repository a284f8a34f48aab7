// Character classes from glibc's C.UTF-8 locale (Linux).
#include "char_class.hpp"

#include <locale.h>
#include <wctype.h>

#include <array>
#include <atomic>
#include <mutex>
#include <stdexcept>

namespace files {

namespace {

constexpr CharClass N = CharClass::neutral;
constexpr CharClass S = CharClass::separator;
constexpr CharClass W = CharClass::word;

constexpr std::uint32_t kLastCodePoint = 0x10FFFF;  // beyond it iswprint is false: neutral
constexpr std::uint32_t kPageBits = 10;
constexpr std::uint32_t kPages = (kLastCodePoint >> kPageBits) + 1;

// Filled a page (1024 code points) at a time on first use: asking the locale about all
// 1.1 M code points up front would cost every worker ~20 ms at start.
struct ClassTable {
    std::array<std::atomic<bool>, kPages> ready{};
    std::array<CharClass, kPages << kPageBits> classes{};
    std::mutex filling;
    locale_t locale = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
};

ClassTable& table() {
    static ClassTable* const instance = [] {
        auto* t = new ClassTable;  // never freed: used until exit, also by worker threads
        if (t->locale == static_cast<locale_t>(nullptr))
            throw std::runtime_error("the C.UTF-8 locale is not available");
        return t;
    }();
    return *instance;
}

bool is_nbsp(std::uint32_t cp) {
    return cp == 0x00A0 || cp == 0x2007 || cp == 0x202F || cp == 0x2060;
}

void fill_page(ClassTable& t, std::uint32_t page) {
    const std::lock_guard lock(t.filling);
    if (t.ready[page].load(std::memory_order_acquire)) return;
    for (std::uint32_t cp = page << kPageBits; cp < (page + 1) << kPageBits; ++cp) {
        const auto wide = static_cast<wint_t>(cp);
        CharClass c = N;
        if (::iswprint_l(wide, t.locale) != 0)
            c = ::iswspace_l(wide, t.locale) != 0 || is_nbsp(cp) ? S : W;
        t.classes[cp] = c;
    }
    t.ready[page].store(true, std::memory_order_release);
}

}  // namespace

CharClass class_of(std::uint32_t cp) {
    if (cp < 0x80) return kAsciiClass[cp];
    if (cp > kLastCodePoint) return N;
    ClassTable& t = table();
    const std::uint32_t page = cp >> kPageBits;
    if (!t.ready[page].load(std::memory_order_acquire)) fill_page(t, page);
    return t.classes[cp];
}

}  // namespace files
