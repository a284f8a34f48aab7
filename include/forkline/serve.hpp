// The worker side: a worker executable is a few lines.
//
//   int main() {
//       return forkline::serve([](std::span<const std::byte> job, std::span<std::byte> out) {
//           ...write the result into out...
//           return result_size;
//       });
//   }
//
// serve() attaches to the segment its supervisor passed (fd 3, FORKLINE_WORKER_INDEX;
// FORKLINE_WAKE_FD names the supervisor's eventfd, written to wake it), validates it, runs the
// handler for each job it claims, and returns 0 once it has answered its sentinel. A handler that
// throws reports JobStatus::failed with the message as data; returning more than out.size() bytes
// is a failure too. Problems that stop the worker from serving at all are printed on stderr and
// give a non-zero return value.
#pragma once

#include <cstddef>
#include <cstring>
#include <forkline/pool.hpp>  // JobHandler
#include <functional>
#include <span>
#include <stdexcept>
#include <type_traits>

namespace forkline {

int serve(const JobHandler& handler);

// Typed form: Job and Result are trivially copyable; `handler` maps one to the other.
template <typename Job, typename Result, typename F>
requires std::is_trivially_copyable_v<Job> && std::is_trivially_copyable_v<Result> &&
    std::is_invocable_r_v<Result, F, const Job&>
int serve_typed(F handler) {
    return serve(
        [&handler](std::span<const std::byte> job, std::span<std::byte> out) -> std::size_t {
            if (job.size() != sizeof(Job) || out.size() < sizeof(Result))
                throw std::length_error("job or result size mismatch");
            Job value;
            std::memcpy(&value, job.data(), sizeof(Job));
            const Result result = handler(value);
            std::memcpy(out.data(), &result, sizeof(Result));
            return sizeof(Result);
        });
}

}  // namespace forkline
