// Serves `forkline run` jobs: runs one command (a pipeline, or /bin/sh -c with --shell) with
// its stdout and stderr in files of the run's private directory. SIGTERM from the
// supervisor cancels the running command: its whole process group gets SIGTERM, then
// SIGKILL after the grace period. Usage (by forkline run only): command_worker OUTPUT_DIR
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <forkline/pipeline.hpp>
#include <forkline/serve.hpp>

#include "command_job.hpp"
#include "standard_fds.hpp"
#include "tool.hpp"
#include "unique_fd.hpp"

namespace {

std::uint64_t size_of(int fd) {
    struct stat info {};
    return ::fstat(fd, &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
}

// Where one job's stdout and stderr go: two fresh memory files (memfd) per job, so a
// process the job left behind can only ever write into its own job's files, never into
// the next one's (and no inode is created on disk per job). Up to kInlineOutput bytes go
// back in the result slot; more are copied into files of the run's directory.
class JobOutput {
  public:
    JobOutput() : out_(create("forkline-job-stdout")), err_(create("forkline-job-stderr")) {}

    int out() const { return out_.get(); }
    int err() const { return err_.get(); }

    // Too big for the result slot: written to output_paths(directory, seq).
    void save(const std::filesystem::path& directory, std::uint64_t seq) const {
        const auto paths = run::output_paths(directory, seq);
        copy(out_.get(), paths.out);
        copy(err_.get(), paths.err);
    }

  private:
    static forkline::UniqueFd create(const char* name) {
        const int fd = ::memfd_create(name, MFD_CLOEXEC);
        if (fd < 0) throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
        return forkline::UniqueFd(fd);
    }
    static void copy(int from, const std::filesystem::path& to) {
        const forkline::UniqueFd file(
            ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!file.valid())
            throw std::runtime_error("cannot create " + to.string() + ": " + std::strerror(errno));
        off_t offset = 0;
        for (auto left = size_of(from); left > 0;) {
            const auto n = ::sendfile(file.get(), from, &offset, left);
            if (n <= 0)
                throw std::runtime_error("cannot write " + to.string() + ": " +
                                         std::strerror(errno));
            left -= static_cast<std::uint64_t>(n);
        }
    }
    forkline::UniqueFd out_;
    forkline::UniqueFd err_;
};

bool read_exactly(int fd, std::byte* into, std::uint64_t size) {
    for (std::uint64_t done = 0; done < size;) {
        const auto n = ::pread(fd, into + done, size - done, static_cast<off_t>(done));
        if (n <= 0) return false;
        done += static_cast<std::uint64_t>(n);
    }
    return true;
}

// A cancel that arrived while no command ran is for nobody: drop it.
void forget_pending_sigterm() {
    sigset_t term;
    ::sigemptyset(&term);
    ::sigaddset(&term, SIGTERM);
    const timespec now{0, 0};
    while (::sigtimedwait(&term, nullptr, &now) == SIGTERM) {
    }
}

std::int64_t unix_now_ns() {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

void write_text(int fd, const std::string& text) {
    [[maybe_unused]] auto n = ::write(fd, text.data(), text.size());
}

// Runs one job; returns the size of the result written into `result`.
std::size_t run_job(const run::CommandJob& job, const std::filesystem::path& directory,
                    std::span<std::byte> result) {
    const JobOutput files;
    run::CommandOutcome outcome{};
    outcome.start_unix_ns = unix_now_ns();
    forkline::PipelineOptions options{
        .stdout_fd = files.out(),
        .stderr_fd = files.err(),
        .grace = std::chrono::nanoseconds(static_cast<std::int64_t>(job.grace_s * 1e9)),
        .forward_signals = {SIGTERM}};
    if (job.input.empty()) {
        options.stdin_null = true;
    } else {
        options.input = job.input;
    }
    if (job.timeout_s > 0)
        options.timeout = std::chrono::nanoseconds(static_cast<std::int64_t>(job.timeout_s * 1e9));
    try {
        const auto stages = job.shell
                                ? std::vector<forkline::Stage>{{{"/bin/sh", "-c", job.command}}}
                                : forkline::parse_pipeline(job.command);
        forget_pending_sigterm();
        const auto result = forkline::run_pipeline(stages, options);
        for (const auto& stage : result.stages) {
            if (!stage.error.empty())
                write_text(files.err(), "forkline run: " + cli::quoted(stage.argv.front()) + ": " +
                                            stage.error + "\n");
        }
        outcome.exit_code = result.exit_code;
        outcome.signal = result.stages.back().signal;
        outcome.timed_out = result.timed_out ? 1 : 0;
        outcome.cancelled = result.forwarded_signal != 0 ? 1 : 0;
        outcome.duration_ns = result.duration.count();
    } catch (const std::exception& e) {  // e.g. a redirection's file cannot be opened
        write_text(files.err(), std::string("forkline run: ") + e.what() + "\n");
        outcome.exit_code = 2;
    }
    outcome.stdout_bytes = size_of(files.out());
    outcome.stderr_bytes = size_of(files.err());
    auto* output = result.data() + sizeof outcome;
    outcome.output_inline =
        outcome.stdout_bytes + outcome.stderr_bytes <= result.size() - sizeof outcome &&
        read_exactly(files.out(), output, outcome.stdout_bytes) &&
        read_exactly(files.err(), output + outcome.stdout_bytes, outcome.stderr_bytes);
    if (!outcome.output_inline) files.save(directory, job.seq);
    std::memcpy(result.data(), &outcome, sizeof outcome);
    return sizeof outcome +
           (outcome.output_inline ? outcome.stdout_bytes + outcome.stderr_bytes : 0);
}

}  // namespace

int main(int argc, char** argv) {
    forkline::ensure_standard_fds();  // before attaching: the segment must not become fd 1
    if (argc != 2) {
        std::fprintf(stderr, "usage: command_worker OUTPUT_DIR (started by forkline run)\n");
        return 2;
    }
    const std::filesystem::path directory = argv[1];
    // SIGTERM stays blocked: run_pipeline reads it through a signalfd while a command runs.
    sigset_t term;
    ::sigemptyset(&term);
    ::sigaddset(&term, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &term, nullptr);
    return forkline::serve([&](std::span<const std::byte> bytes, std::span<std::byte> result) {
        return run_job(run::decode(bytes), directory, result);
    });
}
