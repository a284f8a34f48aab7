#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os_error.hpp"
#include "output_chunks.hpp"
#include "tool.hpp"
#include "worker_host.hpp"

namespace command_worker {

namespace {

std::uint64_t file_size(int fd) {
    struct stat info {};
    forkline::check_os(::fstat(fd, &info), "cannot stat a job's output");
    return static_cast<std::uint64_t>(info.st_size);
}

std::string read_file(int fd, std::uint64_t bytes) {
    std::string data(bytes, '\0');
    for (std::size_t done = 0; done < data.size();) {
        const auto n =
            ::pread(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) forkline::throw_os_error("cannot read a job's output");
        done += static_cast<std::size_t>(n);
    }
    return data;
}

class RedisWorkerHost final : public WorkerHost {
  public:
    RedisWorkerHost(std::string name, std::string redis_url, std::filesystem::path directory)
        : name_(std::move(name)), chunks_(std::move(redis_url)), directory_(std::move(directory)) {}

    const std::string& name() const override { return name_; }

    bool stop_requested(const std::string& output_key) override {
        return chunks_.stop_requested(output_key);
    }

    JobOutputFiles output_files() override {
        JobOutputFiles files;
        const auto stem = directory_ / ("remote-" + std::to_string(::getpid()));
        for (auto [fd, suffix] : {std::pair{&files.out, ".out"}, std::pair{&files.err, ".err"}}) {
            const auto path = stem.string() + suffix;
            *fd = forkline::UniqueFd(
                ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
            if (!fd->valid()) forkline::throw_os_error("cannot create " + cli::quoted(path));
        }
        return files;
    }

    std::size_t send_result(run::CommandOutcome outcome, const run::CommandJob& job,
                            const JobOutputFiles& files, std::span<std::byte> result) override {
        outcome.stdout_bytes = file_size(files.out.get());
        outcome.stderr_bytes = file_size(files.err.get());
        const auto total = outcome.stdout_bytes + outcome.stderr_bytes;
        const auto room = result.size() - sizeof outcome - 2 * 255;
        if (total <= room) {
            outcome.output_inline = 1;
            return run::write_result(outcome, name_, {},
                                     read_file(files.out.get(), outcome.stdout_bytes),
                                     read_file(files.err.get(), outcome.stderr_bytes), result);
        }
        const auto max_output =
            job.max_output != 0 ? job.max_output : forkline::redis::kDefaultMaxOutputBytes;
        if (total > max_output) {
            const auto message = "forkline run: job " + std::to_string(job.seq) +
                                 ": its output of " + std::to_string(total) +
                                 " bytes exceeds --max-output (" + std::to_string(max_output) +
                                 " bytes): not sent\n";
            outcome.output_inline = 1;
            outcome.stdout_bytes = 0;
            outcome.stderr_bytes = message.size();
            if (outcome.exit_code == 0) outcome.exit_code = 1;
            return run::write_result(outcome, name_, {}, {}, message, result);
        }
        const forkline::redis::OutputChunks::File sent[] = {
            {files.out.get(), outcome.stdout_bytes}, {files.err.get(), outcome.stderr_bytes}};
        const auto id = chunks_.send(job.output_key, sent);
        outcome.output_chunked = 1;
        return run::write_result(outcome, name_, id, {}, {}, result);
    }

  private:
    std::string name_;
    forkline::redis::OutputChunks chunks_;
    std::filesystem::path directory_;
};

}  // namespace

std::unique_ptr<WorkerHost> connect_worker_host(std::string name, std::string redis_url,
                                                const std::filesystem::path& directory) {
    return std::make_unique<RedisWorkerHost>(std::move(name), std::move(redis_url), directory);
}

}  // namespace command_worker
