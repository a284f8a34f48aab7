// Live output is made of FIFOs and splice(2) on Linux (live_output_fifo.hpp): not ported.
#include <forkline/error.hpp>

#include "live_output.hpp"

namespace run {

std::unique_ptr<LiveOutput> make_live_output(RunOptions::Output, unsigned, std::filesystem::path,
                                             std::function<void()>) {
    throw forkline::Error(
        "--line-buffer and --ungroup are not available on Windows (each job's output is "
        "printed when it ends)");
}

}  // namespace run
