// A test program for tests/test_run_command.cpp, the same on every platform:
//   stdio_echo STATUS SECONDS [WORDS…]
// sleeps SECONDS, copies standard input to standard output, writes WORDS (space-separated)
// to standard error, and exits with STATUS.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "standard_fds.hpp"

int main(int argc, char** argv) {
    if (argc < 3) return 2;
    forkline::ensure_standard_fds();  // Windows: binary mode, bytes pass as they are
    std::this_thread::sleep_for(std::chrono::seconds(std::atoi(argv[2])));
    char buffer[65536];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, stdin)) > 0;)
        std::fwrite(buffer, 1, n, stdout);
    std::string words;
    for (int i = 3; i < argc; ++i) {
        if (i > 3) words += ' ';
        words += argv[i];
    }
    std::fputs(words.c_str(), stderr);
    return std::atoi(argv[1]);
}
