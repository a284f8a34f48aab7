// Blocks SIGPIPE in this thread for a scope, so a write to a closed pipe or socket fails
// with EPIPE instead of killing the process (used around pipeline input, Redis writes and
// forkline run's output). Windows has no SIGPIPE: such a write fails there already, and
// the class does nothing (sigpipe_blocked_windows.cpp).
#pragma once

namespace forkline {

// Writing to a pipe or socket whose reader is gone raises SIGPIPE in the writing thread:
// blocked here so the write fails with EPIPE instead; a pending one is consumed before
// unblocking. Scopes nest: only the outermost one unblocks.
class SigpipeBlocked {
  public:
    SigpipeBlocked();
    ~SigpipeBlocked();
    SigpipeBlocked(const SigpipeBlocked&) = delete;
    SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

  private:
    bool was_blocked_ = false;  // SIGPIPE was blocked before: left so
};

}  // namespace forkline
