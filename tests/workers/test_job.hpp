// The job test_worker serves.
#pragma once

#include <cstdint>

struct TestJob {
    enum Action : std::uint32_t {
        echo = 0,
        throw_error = 1,
        crash = 2,
        count_fds = 3,  // descriptors (Windows: handles) a program the job ran would inherit
        exit_quietly = 4,
        report_pid = 5,  // the worker's process id
    };
    std::uint64_t value = 0;
    std::uint32_t pause_us = 0;
    Action action = echo;
};
