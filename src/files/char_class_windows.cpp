// Character classes on Windows: its iswprint/iswspace are not glibc's, so the classes come
// from the table generated from glibc's C.UTF-8 (char_class_ranges.inc), and the Windows
// build counts words and characters as the Linux build does.
#include "char_class.hpp"

namespace files {

CharClass class_of(std::uint32_t cp) {
    return class_from_table(cp);
}

}  // namespace files
