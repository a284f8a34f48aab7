#include "joblog.hpp"

#include <fcntl.h>

#include <cstdio>

#include "os_error.hpp"
#include "output.hpp"
#include "tool.hpp"

namespace run {

Joblog::Joblog(const std::filesystem::path& path)
    : file_(forkline::check_os(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666),
                               "cannot open joblog " + cli::quoted(path.string()))),
      name_("joblog " + cli::quoted(path.string())) {
    cli::write_all(file_.get(),
                   "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n",
                   name_);
}

void Joblog::write(const FinishedJob& job) {
    char numbers[256];
    std::snprintf(numbers, sizeof numbers, "%llu\t:\t%.3f\t%10.3f\t%zu\t%llu\t%d\t%d\t",
                  static_cast<unsigned long long>(job.spec.seq), job.start_unix_s, job.duration_s,
                  job.spec.input.size(), static_cast<unsigned long long>(job.stdout_bytes),
                  job.timed_out ? -1 : job.exit_code, job.timed_out ? 15 : job.signal);
    cli::write_all(file_.get(), numbers + joblog_escaped(job.spec.command) + "\n", name_);
}

std::string joblog_escaped(std::string_view command) {
    std::string named;  // the bytes with a name of their own, and backslash itself
    named.reserve(command.size());
    for (const char c : command) {
        switch (c) {
            case '\\':
                named += "\\\\";
                break;
            case '\t':
                named += "\\t";
                break;
            case '\n':
                named += "\\n";
                break;
            case '\r':
                named += "\\r";
                break;
            default:
                named += c;
        }
    }
    return cli::escaped(named);  // the other control bytes
}

}  // namespace run
