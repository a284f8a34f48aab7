// No control channel on Windows (it is an abstract Unix socket): `forkline top` is
// Linux-only, and a pool answers nobody. pause(), resume() and cancel() still work.
#include "pool_impl.hpp"

namespace forkline {

void Pool::Impl::open_control_channel() {}

bool Pool::Impl::answer_control(bool) {
    return false;
}

}  // namespace forkline
