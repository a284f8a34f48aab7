// Test helper (Windows): prints the command line it was given, as the program sees it, then
// the words CommandLineToArgvW (what C and C++ runtimes follow) splits it into, after argv[0]:
//   line: <the whole command line>
//   [word]            one per word, UTF-8
// Tests compare those words with the ones spawn() was given, and the line with raw text.
#include <windows.h>

#include <shellapi.h>

#include <fcntl.h>
#include <io.h>

#include <cstdio>
#include <string>

namespace {

std::string utf8(const wchar_t* wide) {
    const int size = ::WideCharToMultiByte(CP_UTF8, 0, wide, -1, nullptr, 0, nullptr, nullptr);
    std::string text(static_cast<std::size_t>(size), '\0');
    ::WideCharToMultiByte(CP_UTF8, 0, wide, -1, text.data(), size, nullptr, nullptr);
    text.pop_back();  // the terminator
    return text;
}

}  // namespace

int main() {
    const wchar_t* line = ::GetCommandLineW();
    std::string out = "line: ";  // appended: GCC 12 -O3 warns falsely on "x" + string
    (out += utf8(line)) += '\n';
    int count = 0;
    wchar_t** words = ::CommandLineToArgvW(line, &count);
    if (words == nullptr) return 2;
    for (int i = 1; i < count; ++i) ((out += '[') += utf8(words[i])) += "]\n";
    ::LocalFree(words);
    ::_setmode(1, _O_BINARY);  // "\n", not "\r\n": the test compares bytes
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}
