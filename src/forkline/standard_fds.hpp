// For the tools' main(): descriptors 0-2 must exist, or the next fd opened (a pipe, the
// shared-memory segment) would become someone's stdin or stdout.
#pragma once

namespace forkline {

// Opens /dev/null on each of 0, 1, 2 that is closed.
void ensure_standard_fds();

}  // namespace forkline
