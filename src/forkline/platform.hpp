// What differs between the systems forkline builds for, as constants that platform-free code
// tests with `if constexpr` (rules of text and names, not OS calls: those are behind the
// X_posix.cpp / X_windows.cpp pairs).
#pragma once

namespace forkline {

#ifdef _WIN32
inline constexpr bool kWindows = true;
#else
inline constexpr bool kWindows = false;
#endif

}  // namespace forkline
