// Adding a descriptor to an epoll set, to be told when it is readable: the pool's events
// (pool_events.cpp) and its control channel (control_channel.cpp) do it alike.
#pragma once

#include <sys/epoll.h>

#include "os_error.hpp"

namespace forkline {

inline void watch_readable(int epoll, int fd) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    check_os(::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event), "epoll_ctl");
}

}  // namespace forkline
