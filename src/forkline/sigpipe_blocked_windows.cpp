// Windows has no SIGPIPE: a write into a pipe whose reader is gone fails (EPIPE from the C
// runtime, ERROR_NO_DATA from WriteFile) without a signal. Nothing to block.
#include "sigpipe_blocked.hpp"

namespace forkline {

SigpipeBlocked::SigpipeBlocked() = default;
SigpipeBlocked::~SigpipeBlocked() = default;

}  // namespace forkline
