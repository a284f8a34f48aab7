// msvcrt's fopen takes the path in the ANSI code page and makes an inheritable handle:
// _wfopen with "N" takes the UTF-8 path widened and keeps the handle to this process.
#include <stdio.h>

#include "output_file.hpp"
#include "utf16.hpp"

namespace files {

std::FILE* open_output_file(const std::string& path) {
    return ::_wfopen(forkline::widen(path).c_str(), L"wN");
}

}  // namespace files
