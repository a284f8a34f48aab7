#include "job_guardian.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "os_error.hpp"
#include "segment.hpp"
#include "sigpipe_blocked.hpp"

namespace forkline {

namespace {

constexpr int kPipeFd = 3;     // where the guardian keeps the pipe's read end
constexpr int kSegmentFd = 4;  // and the segment

// After the supervisor's death: SIGKILL every group a worker's record names.
void kill_recorded_groups(int segment_fd, const layout::Geometry& geometry) {
    const std::size_t size = geometry.total_size();
    void* base = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, segment_fd, 0);
    if (base == MAP_FAILED) return;
    const SegmentView view(static_cast<std::byte*>(base), geometry);
    for (std::uint32_t i = 0; i < geometry.worker_count; ++i) {
        const pid_t group = view.ring(i).job_group.load(std::memory_order_acquire);
        if (group > 0) ::kill(-group, SIGKILL);
    }
}

// The guardian's life, in the forked child: async-signal-safe calls only.
[[noreturn]] void guard(int pipe_read, int segment_fd, const layout::Geometry& geometry) {
    // Signals meant for the supervisor's terminal group (^C, hang-up) or group-wide
    // SIGTERMs are the supervisor's to handle: the guardian waits for its verdict.
    for (const int signal : {SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGPIPE}) ::signal(signal, SIG_IGN);
    ::prctl(PR_SET_NAME, "forkline-guard");
    // Nothing of the supervisor's stays open here (a pipe held open would keep a reader
    // of its output waiting): the pipe's read end, the segment, and /dev/null on 0-2.
    // Copied above both targets first: either may be open on the other's number now.
    const int pipe_copy = ::fcntl(pipe_read, F_DUPFD, kSegmentFd + 1);
    const int segment_copy = ::fcntl(segment_fd, F_DUPFD, kSegmentFd + 1);
    ::dup2(pipe_copy, kPipeFd);
    ::dup2(segment_copy, kSegmentFd);
    ::syscall(SYS_close_range, kSegmentFd + 1, ~0U, 0);
    const int null = ::open("/dev/null", O_RDWR);
    for (int fd = 0; fd <= 2; ++fd) ::dup2(null, fd);
    if (null > 2) ::close(null);
    char verdict = 0;
    ssize_t n = 0;
    do {
        n = ::read(kPipeFd, &verdict, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 0) kill_recorded_groups(kSegmentFd, geometry);  // EOF, no word: it died
    ::_exit(0);
}

}  // namespace

JobGuardian::JobGuardian(int segment_fd, const layout::Geometry& geometry) {
    int ends[2];
    check_os(::pipe2(ends, O_CLOEXEC), "cannot create the job guardian's pipe");
    UniqueFd read_end(ends[0]);
    stand_down_ = UniqueFd(ends[1]);
    pid_ = ::fork();
    if (pid_ < 0) throw_os_error("cannot start the job guardian");
    if (pid_ == 0) guard(read_end.get(), segment_fd, geometry);
}

JobGuardian::~JobGuardian() {
    const char stand_down = 1;
    {
        const SigpipeBlocked quiet;  // a guardian killed meanwhile: EPIPE, not our death
        while (::write(stand_down_.get(), &stand_down, 1) < 0 && errno == EINTR) {
        }
    }
    stand_down_.reset();
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace forkline
