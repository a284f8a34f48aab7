#include "live_output_fifo.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <tuple>

#include "os_error.hpp"
#include "output.hpp"
#include "tool.hpp"

namespace run {

namespace {

// One read takes this much at most, and a FIFO holds as much (F_SETPIPE_SZ): the
// throughput of a pipe grows with its size up to about here (design.md).
constexpr std::size_t kChunk = 1 << 20;
// All FIFOs of a run together hold this much at most: pipe pages count against the user's
// limit (fs.pipe-user-pages-soft, 64 MiB), past which every new pipe of theirs is small.
constexpr std::size_t kFifoBudget = 8 << 20;
constexpr std::size_t kDefaultPipe = 64 << 10;

const char* stream_name(int fd) {
    return fd == STDOUT_FILENO ? "standard output" : "standard error";
}

// Two descriptors per running job: -j 4096 needs more than the usual soft limit of 1024.
void raise_open_file_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

forkline::UniqueFd make_fifo(const std::filesystem::path& path, std::size_t size) {
    if (::mkfifo(path.c_str(), 0600) != 0) forkline::throw_os_error("mkfifo " + path.string());
    forkline::UniqueFd fifo(::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!fifo.valid()) {
        const int error = errno;
        ::unlink(path.c_str());
        errno = error;
        forkline::throw_os_error("cannot open " + path.string());
    }
    if (size > kDefaultPipe) ::fcntl(fifo.get(), F_SETPIPE_SZ, static_cast<int>(size));  // or not
    return fifo;
}

forkline::UniqueFd create_file(const std::filesystem::path& path) {
    return forkline::UniqueFd(
        forkline::check_os(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644),
                           "cannot create " + cli::quoted(path.string())));
}

}  // namespace

FifoLiveOutput::FifoLiveOutput(RunOptions::Output mode, unsigned jobs,
                               std::filesystem::path directory, std::function<void()> before_write)
    : mode_(mode),
      fifo_size_(
          std::clamp<std::size_t>(kFifoBudget / (2 * std::max(jobs, 1U)), kDefaultPipe, kChunk)),
      directory_(std::move(directory)),
      before_write_(std::move(before_write)),
      buffer_(kChunk) {
    raise_open_file_limit();
    // A pipe we write into gets as big as a job's FIFO: bytes move on in 1 MiB steps, not
    // 64 KiB ones, with one context switch (ours and the reader's) per step.
    for (const int fd : {STDOUT_FILENO, STDERR_FILENO}) {
        struct stat info {};
        if (::fstat(fd, &info) == 0 && S_ISFIFO(info.st_mode) &&
            ::fcntl(fd, F_GETPIPE_SZ) < static_cast<int>(kChunk))
            ::fcntl(fd, F_SETPIPE_SZ, static_cast<int>(kChunk));  // may be refused: fine
    }
    can_splice_[STDOUT_FILENO] = PipeSplicer::can_splice_to(STDOUT_FILENO);
    can_splice_[STDERR_FILENO] = PipeSplicer::can_splice_to(STDERR_FILENO);
}

FifoLiveOutput::~FifoLiveOutput() {
    for (auto& [seq, job] : jobs_) remove(job);
}

OutputPaths FifoLiveOutput::start(std::uint64_t seq, std::string tag, const OutputPaths& copies) {
    auto paths = output_paths(directory_, seq);
    paths.out += ".fifo";
    paths.err += ".fifo";
    Job job;
    try {
        for (const auto& [path, to, copy] : {std::tuple(paths.out, STDOUT_FILENO, copies.out),
                                             std::tuple(paths.err, STDERR_FILENO, copies.err)}) {
            job.streams.push_back({{}, path, to, LinePrefixer(tag), {}, {}, copy.string()});
            job.streams.back().fifo = make_fifo(path, fifo_size_);
            if (!copy.empty()) job.streams.back().copy = create_file(copy);
        }
    } catch (...) {
        remove(job);
        throw;
    }
    jobs_.insert_or_assign(seq, std::move(job));
    return paths;
}

bool FifoLiveOutput::pump(std::chrono::milliseconds timeout, forkline::NativeHandle pool,
                          int input_fd) {
    std::vector<pollfd> fds;
    std::vector<Stream*> streams;
    for (auto& [seq, job] : jobs_) {
        for (auto& stream : job.streams) {
            fds.push_back({stream.fifo.get(), POLLIN, 0});
            streams.push_back(&stream);
        }
    }
    fds.push_back({pool, POLLIN, 0});  // results, and requests of `forkline top`
    if (input_fd >= 0) fds.push_back({input_fd, POLLIN, 0});
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
    if (ready <= 0) return false;  // EINTR: the caller's loop comes back
    // One read per ready FIFO and round, so that a chatty job cannot starve the others.
    bool moved = false;
    for (std::size_t i = 0; i < streams.size(); ++i) {
        if (fds[i].revents != 0) moved = read_into(*streams[i]) || moved;
    }
    return moved;
}

std::uint64_t FifoLiveOutput::finish(std::uint64_t seq) {
    const auto found = jobs_.find(seq);
    if (found == jobs_.end()) return 0;
    auto& job = found->second;
    try {
        for (auto& stream : job.streams) {
            // Its writers are gone: what is left is at most what the FIFO holds (the bound
            // only matters should one have escaped).
            for (const auto before = stream.bytes;
                 stream.bytes - before <= fifo_size_ && read_into(stream);) {
            }
            if (!stream.partial.empty()) {
                write_lines(stream, stream.partial);  // the unterminated last piece
                stream.partial.clear();
            }
        }
    } catch (...) {
        remove(job);
        jobs_.erase(found);
        throw;
    }
    const auto bytes = job.streams.front().bytes;
    remove(job);
    jobs_.erase(found);
    return bytes;
}

bool FifoLiveOutput::splice_from(Stream& stream) {
    if (!writing_ || stream.copy.valid() || stream.tag.active() || !can_splice_[stream.to])
        return false;
    std::size_t size = 0;
    if (mode_ == RunOptions::Output::ungroup) {
        int held = 0;
        if (::ioctl(stream.fifo.get(), FIONREAD, &held) == 0) size = static_cast<std::size_t>(held);
    } else {
        size = splicer_.whole_lines(stream.fifo.get());
    }
    if (size == 0) return false;
    before_write_();
    if (!stream.partial.empty()) {  // the start of the first line, then the rest of it
        cli::write_all(stream.to, stream.partial, stream_name(stream.to));
        stream.partial.clear();
    }
    splicer_.move(stream.fifo.get(), stream.to, size, stream_name(stream.to));
    stream.bytes += size;
    return true;
}

bool FifoLiveOutput::read_into(Stream& stream) {
    if (splice_from(stream)) return true;
    while (true) {
        const auto n = ::read(stream.fifo.get(), buffer_.data(), buffer_.size());
        if (n > 0) {
            stream.bytes += static_cast<std::uint64_t>(n);
            forward(stream, std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
            return true;
        }
        if (n < 0 && errno == EINTR) continue;
        return false;  // EAGAIN: empty for now (we hold a writer: never an end of file)
    }
}

void FifoLiveOutput::forward(Stream& stream, std::string_view data) {
    if (!writing_) return;
    if (stream.copy.valid()) cli::write_all(stream.copy.get(), data, stream.copy_name);
    if (mode_ == RunOptions::Output::ungroup) {
        before_write_();
        cli::write_all(stream.to, data, stream_name(stream.to));
        return;
    }
    const auto last_newline = data.rfind('\n');
    if (last_newline == std::string_view::npos) {
        stream.partial += data;
        return;
    }
    const auto lines = data.substr(0, last_newline + 1);
    if (stream.partial.empty()) {
        write_lines(stream, lines);
    } else {
        stream.partial += lines;
        write_lines(stream, stream.partial);
    }
    stream.partial.assign(data.substr(last_newline + 1));
}

void FifoLiveOutput::write_lines(Stream& stream, std::string_view lines) {
    if (!writing_) return;
    before_write_();
    tagged_.clear();
    stream.tag.add(lines, tagged_);
    cli::write_all(stream.to, tagged_, stream_name(stream.to));
}

void FifoLiveOutput::remove(Job& job) {
    for (auto& stream : job.streams) {
        ::unlink(stream.path.c_str());
        stream.fifo.reset();
    }
}

std::unique_ptr<LiveOutput> make_live_output(RunOptions::Output mode, unsigned jobs,
                                             std::filesystem::path directory,
                                             std::function<void()> before_write) {
    return std::make_unique<FifoLiveOutput>(mode, jobs, std::move(directory),
                                            std::move(before_write));
}

}  // namespace run
