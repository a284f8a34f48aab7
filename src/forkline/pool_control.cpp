// What `forkline top` asks of a pool, through its control channel (control_channel.hpp):
// cancel a job, pause and resume the starting of jobs, its state. Answered on the pool's
// own thread, inside pump(): no thread, no nap.
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
