// Where workers live and how many cores there are, on Windows.
#include <windows.h>

#include <forkline/pool.hpp>
#include <system_error>

#ifndef FORKLINE_LIBEXECDIR
#error "FORKLINE_LIBEXECDIR must be defined by the build"
#endif

namespace forkline {

unsigned available_cores() {
    DWORD_PTR process = 0;
    DWORD_PTR system = 0;
    if (!::GetProcessAffinityMask(::GetCurrentProcess(), &process, &system) || process == 0)
        return 1;
    return static_cast<unsigned>(__builtin_popcountll(process));
}

// As on POSIX: beside this program, then the libexec directory; `name` may omit ".exe".
std::filesystem::path find_worker(std::string_view name) {
    std::vector<std::filesystem::path> candidates;
    std::wstring self(MAX_PATH, L'\0');
    for (;;) {
        const DWORD size =
            ::GetModuleFileNameW(nullptr, self.data(), static_cast<DWORD>(self.size()));
        if (size == 0) break;
        if (size < self.size()) {
            self.resize(size);
            candidates.push_back(std::filesystem::path(self).parent_path() / name);
            break;
        }
        self.resize(self.size() * 2);
    }
    candidates.push_back(std::filesystem::path(FORKLINE_LIBEXECDIR) / name);
    for (auto& candidate : candidates) {
        if (!candidate.has_extension()) candidate += ".exe";
        std::error_code error;
        if (std::filesystem::is_regular_file(candidate, error)) return candidate;
    }
    std::string tried;
    for (const auto& candidate : candidates)
        tried += (tried.empty() ? "" : ", ") + candidate.string();
    throw Error("cannot find worker program '" + std::string(name) + "' (tried " + tried + ")");
}

}  // namespace forkline
