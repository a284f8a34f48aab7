// A pool's control channel on Linux: an abstract Unix socket (control_channel.hpp), watched
// by the pool's epoll set.
#include "pool_impl.hpp"

namespace forkline {

void Pool::Impl::open_control_channel() {
    control.emplace(segment.name());
    events.watch_control(control->fd());
}

bool Pool::Impl::answer_control(bool look) {
    if (!control || (!events.take_control_ready() && !look)) return false;
    return control->serve([this](const control::Request& request) { return answer(request); }) != 0;
}

}  // namespace forkline
