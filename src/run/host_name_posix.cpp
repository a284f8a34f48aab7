// this_host_name() (command_job.hpp) on POSIX: gethostname(2).
#include <unistd.h>

#include "command_job.hpp"

namespace run {

std::string this_host_name() {
    char name[256] = "localhost";
    ::gethostname(name, sizeof name - 1);
    return name;
}

}  // namespace run
