// What `forkline top` asks of a pool, through its control channel (control_channel.hpp):
// cancel a job, pause and resume the starting of jobs, its state. Answered on the pool's
// own thread, inside pump(): no thread, no nap. The channel itself is Linux-only
// (pool_control_posix.cpp); on Windows a pool has none (pool_control_windows.cpp).
#include "pool_impl.hpp"

namespace forkline {

control::Reply Pool::Impl::answer(const control::Request& request) {
    using Kind = control::Request::Kind;
    control::Reply reply;
    reply.ok = true;
    const auto job = "job " + std::to_string(request.job);
    switch (request.kind) {
        case Kind::cancel:
            reply.ok = cancel(request.job, CancelMode::kill_running);
            reply.message = reply.ok ? job + " cancelled" : job + " is not waiting or running";
            break;
        case Kind::pause:
            queue.park_all();
            break;
        case Kind::resume:
            queue.unpark_all();
            break;
        case Kind::status:
            break;
    }
    reply.paused = queue.parking();
    return reply;
}

void Pool::pause() {
    impl_->queue.park_all();
}

void Pool::resume() {
    impl_->queue.unpark_all();
}

bool Pool::paused() const {
    return impl_->queue.parking();
}

}  // namespace forkline
