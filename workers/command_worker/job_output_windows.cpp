#include "durable_file.hpp"
#include "job_output.hpp"
#include "os_error.hpp"
#include "tool.hpp"
#include "utf8_path.hpp"

namespace command_worker {

forkline::UniqueFd open_job_output(const std::string& path) {
    auto fd = run::open_for_writing(forkline::utf8_path(path), run::OpenFor::replacing);
    if (!fd.valid()) forkline::throw_os_error("cannot open " + cli::quoted(path));
    return fd;
}

}  // namespace command_worker
