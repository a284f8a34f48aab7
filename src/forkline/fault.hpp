// Test-only fault injection at named protocol steps. In a build configured with
// -Dfault_hooks=true, fault_point("claimed") SIGKILLs this process with the probability
// FORKLINE_FAULT gives that step ("claimed:0.01,done:0.002", or "*:0.001" for every step).
// In every other build it compiles to nothing.
#pragma once

namespace forkline {

#ifdef FORKLINE_FAULT_HOOKS
void fault_point(const char* step);
#else
inline void fault_point(const char*) {}
#endif

}  // namespace forkline
