// forkline's headers need C++20 (concepts, std::span). Checked here, first, so that an older
// -std gives this one line instead of pages of errors; pkg-config's Cflags do not set -std,
// so a C++23 program stays C++23.
#pragma once

#if __cplusplus < 202002L
#error "forkline needs C++20 or later: compile with -std=c++20 (or a newer standard)"
#endif
