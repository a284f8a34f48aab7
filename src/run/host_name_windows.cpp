// this_host_name() (command_job.hpp) on Windows: the computer's NetBIOS name, as `hostname`
// prints it there (ANSI is enough: such names are ASCII).
#include <windows.h>

#include "command_job.hpp"

namespace run {

std::string this_host_name() {
    char name[MAX_COMPUTERNAME_LENGTH + 1] = "localhost";
    DWORD size = sizeof name;
    if (::GetComputerNameA(name, &size) == 0) return "localhost";
    return std::string(name, size);
}

}  // namespace run
