// Text that came from anyone (a file name, a command line) made safe for a terminal table.
#pragma once

#include <string>

namespace cli {

// Control characters (an escape sequence, a newline) would act on the terminal or break the
// table: each shows as '?', as ps and ls do. Other bytes, UTF-8 included, are kept.
inline std::string printable(std::string text) {
    for (auto& c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    }
    return text;
}

}  // namespace cli
