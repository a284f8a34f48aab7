// Test helper (Windows), one small program for the pipeline tests under wine:
//   helper cat              copies stdin to stdout (binary)
//   helper gen N            writes N lines "line I" (one write per 64 KiB)
//   helper exit N           exits with N
//   helper sleep-tree SECS  starts a copy of itself that sleeps SECS, prints that
//                           grandchild's pid, then sleeps SECS itself
//   helper sleep SECS       sleeps
//   helper alive PID        exits 0 while process PID runs, 1 once it is gone
//   helper print TEXT       writes TEXT and a newline, flushed, then sleeps forever
//   helper env NAME         prints NAME's value, or exits 1 when it is not set
//   helper cwd              prints the current directory
#include <windows.h>

#include <fcntl.h>
#include <io.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int cat() {
    ::_setmode(0, _O_BINARY);
    ::_setmode(1, _O_BINARY);
    char buffer[65536];
    std::size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof buffer, stdin)) > 0) {
        if (std::fwrite(buffer, 1, got, stdout) != got) return 1;
    }
    return 0;
}

int gen(long count) {
    std::string out;
    for (long i = 0; i < count; ++i) {
        out += "line " + std::to_string(i) + "\n";
        if (out.size() >= 65536) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

int sleep_tree(const char* seconds) {
    wchar_t self[MAX_PATH];
    ::GetModuleFileNameW(nullptr, self, MAX_PATH);
    std::wstring line = L"\"" + std::wstring(self) + L"\" sleep ";
    for (const char* c = seconds; *c != '\0'; ++c) line += static_cast<wchar_t>(*c);
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    PROCESS_INFORMATION info{};
    if (!::CreateProcessW(self, line.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr, &startup,
                          &info)) {
        return 3;
    }
    std::printf("%lu\n", info.dwProcessId);
    std::fflush(stdout);
    ::CloseHandle(info.hThread);
    ::CloseHandle(info.hProcess);
    ::Sleep(static_cast<DWORD>(std::atol(seconds) * 1000));
    return 0;
}

int alive(const char* pid) {
    HANDLE process = ::OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(std::atol(pid)));
    if (process == nullptr) return 1;
    const bool running = ::WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
    ::CloseHandle(process);
    return running ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "cat") return cat();
    if (command == "gen" && argc > 2) return gen(std::atol(argv[2]));
    if (command == "exit" && argc > 2) return std::atoi(argv[2]);
    if (command == "sleep-tree" && argc > 2) return sleep_tree(argv[2]);
    if (command == "sleep" && argc > 2) {
        ::Sleep(static_cast<DWORD>(std::atol(argv[2]) * 1000));
        return 0;
    }
    if (command == "alive" && argc > 2) return alive(argv[2]);
    if (command == "print" && argc > 2) {
        std::printf("%s\n", argv[2]);
        std::fflush(stdout);
        ::Sleep(INFINITE);
    }
    if (command == "env" && argc > 2) {
        const char* value = std::getenv(argv[2]);
        if (value == nullptr) return 1;
        std::printf("%s\n", value);
        return 0;
    }
    if (command == "cwd") {
        char directory[MAX_PATH];
        ::GetCurrentDirectoryA(MAX_PATH, directory);
        std::printf("%s\n", directory);
        return 0;
    }
    std::fprintf(stderr, "helper: unknown command\n");
    return 2;
}
