// libFuzzer target: the JSON lines job reader of `forkline run`. Every non-blank line
// becomes exactly one job, with a command or an error naming its line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "job_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::istringstream in(text);
    const auto jobs = run::jobs_from_json_lines(in);
    std::size_t lines = 0;
    std::istringstream count(text);
    for (std::string line; std::getline(count, line);) {
        if (line.find_first_not_of(" \t\r") != std::string::npos) ++lines;
    }
    if (jobs.size() != lines) std::abort();
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (jobs[i].seq != i + 1) std::abort();
        if (jobs[i].error.empty() && jobs[i].command.empty()) std::abort();  // runnable, or says why not
        if (!jobs[i].error.empty() && jobs[i].error.rfind("line ", 0) != 0) std::abort();
    }
    return 0;
}
