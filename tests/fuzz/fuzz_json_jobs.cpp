// libFuzzer target: the JSON lines job reader of `forkline run`. Every non-blank line
// becomes exactly one job, with a command or an error naming its line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "line_jobs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const auto job = run::job_from_json(line, n);
        if (job.error.empty() && job.command.empty()) std::abort();  // runnable, or says why not
        if (!job.error.empty() && job.error.rfind("line " + std::to_string(n) + ": ", 0) != 0)
            std::abort();
    }
    return 0;
}
