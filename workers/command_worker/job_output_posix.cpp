#include <fcntl.h>
#include <sys/stat.h>

#include "job_output.hpp"
#include "os_error.hpp"
#include "tool.hpp"

namespace command_worker {

forkline::UniqueFd open_job_output(const std::string& path) {
    struct stat info {};
    const bool fifo = ::stat(path.c_str(), &info) == 0 && S_ISFIFO(info.st_mode);
    forkline::UniqueFd fd(::open(
        path.c_str(),
        fifo ? O_WRONLY | O_NONBLOCK | O_CLOEXEC : O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) forkline::throw_os_error("cannot open " + cli::quoted(path));
    if (fifo && ::fcntl(fd.get(), F_SETFL, O_WRONLY) != 0)
        forkline::throw_os_error("cannot make " + cli::quoted(path) + " blocking");
    return fd;
}

}  // namespace command_worker
