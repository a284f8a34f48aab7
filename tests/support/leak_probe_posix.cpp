#include <unistd.h>

#include "leak_probe.hpp"
#include "run_command.hpp"

namespace test_support {

namespace {

std::vector<long long> fds_now() {
    const auto fds = open_fds();
    return {fds.begin(), fds.end()};
}

}  // namespace

LeakProbe::LeakProbe() : held_(fds_now()) {}

std::vector<std::string> LeakProbe::leaks() const {
    std::vector<std::string> left;
    if (fds_now() != held_) left.emplace_back("a file descriptor open");
    if (!children_of(::getpid()).empty()) left.emplace_back("a child process (running or zombie)");
    if (!segments_of(::getpid()).empty()) left.emplace_back("a segment in /dev/shm");
    return left;
}

}  // namespace test_support
