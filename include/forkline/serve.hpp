// The worker side: a worker executable is a few lines.
//
//   int main() {
//       return forkline::serve([](std::span<const std::byte> job, std::span<std::byte> out) {
//           ...write the result into out...
//           return result_size;
//       });
//   }
//
// serve() attaches to the segment its supervisor passed (fd 3, and its index: worker_index();
// FORKLINE_WAKE_FD names the supervisor's eventfd, written to wake it), validates it, runs
// the handler for each job it claims, and returns 0 once it has answered its sentinel. A
// handler that throws reports JobStatus::failed with the message as data; returning more
// than out.size() bytes is a failure too. Problems that stop the worker from serving at all
// are printed on stderr and give a non-zero return value.
#pragma once

#include <forkline/requires_cxx20.hpp>

#include <cstddef>
#include <forkline/pool.hpp>  // JobHandler, typed_handler
#include <functional>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>

namespace forkline {

int serve(const JobHandler& handler);

// Inside a worker (a handler run by serve(), serve_typed() or a PoolOptions::worker_function,
// and its worker_init): this worker's index, 0 <= index < Pool::worker_count(). A respawned
// or recycled worker takes the index of the one it replaces, so two workers alive at once
// never share one: e.g. to pick a device or a scratch directory per worker. nullopt outside
// a worker.
std::optional<unsigned> worker_index();

// Typed form: serve(typed_handler<Job, Result>(handler)) (pool.hpp): the job is decoded and
// the result encoded by codec<Job> and codec<Result> (codec.hpp), the codecs Pool::submit()
// and JobResult::as() use, so serve_typed<std::string, std::uint64_t> answers
// pool.submit(std::string(...)) and result.as<std::uint64_t>().
template <typename Job, typename Result, typename F>
requires std::is_invocable_r_v<Result, F, const Job&>
int serve_typed(F handler) {
    return serve(typed_handler<Job, Result>(std::move(handler)));
}

}  // namespace forkline
