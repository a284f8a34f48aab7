// forkline's one error type.
//
// The rule used everywhere: "could not run" (bad options, a worker that cannot be
// spawned, a segment that cannot be created or fails validation) is thrown as
// forkline::Error with a message that says what and why. "Ran and failed" (a job
// whose worker died, a handler that threw) is a value inside the job's result.
//
// A failed system call is an OsError, the one way forkline reports one: an Error (so the
// rule above holds) that keeps the errno, with the message "WHAT: REASON".
// Nothing else escapes the library: no bare std::system_error, whatever system call fails
// (tests/test_pipeline.cpp and test_typed_pool.cpp run out of descriptors at every step).
//
// Errors a caller can act on:
//   OsError, code() EMFILE / ENFILE   out of descriptors: close some, raise RLIMIT_NOFILE.
//   OsError, code() EAGAIN / ENOMEM   out of processes or memory (fork, clone, mmap):
//                                     retry later, or lower PoolOptions::workers.
//   OsError, code() ENOSPC / EACCES   /dev/shm full or not writable: the pool's segment.
//   ParseError (pipeline.hpp)         a pipeline's syntax; column() points at it; a message
//                                     that says "needs a shell" means run it with sh -c.
//   Error from Pool's constructor     bad PoolOptions (the message names the field), or a
//                                     worker_program that cannot be started.
//   Error from find_worker()          the worker is in none of the places it names.
//   Error from submit()               a job larger than max_job_size, or after close().
//   Error from as<T>()                the result's bytes are not a T (another size, bad JSON).
//   Error from wait()                 a worker program that is not a forkline worker (it
//                                     exited before attaching, or exited 0 without its
//                                     sentinel): a wrong worker_program.
#pragma once

#include <forkline/requires_cxx20.hpp>

#include <stdexcept>
#include <string>
#include <system_error>

namespace forkline {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The category errno values belong to: std::system_category() on POSIX (as in a
// std::system_error from a POSIX call); std::generic_category() on Windows, where the system
// category is GetLastError()'s codes.
const std::error_category& errno_category() noexcept;

class OsError : public Error {
  public:
    // `error` is the errno; 0 when it was lost (the message then has no reason).
    OsError(const std::string& what, int error)
        : Error(error != 0 ? what + ": " + errno_category().message(error) : what),
          code_(error, errno_category()) {}
    // A code of another category (Windows: GetLastError()'s, std::system_category()), its
    // reason already in `message`.
    OsError(const std::string& message, std::error_code code) : Error(message), code_(code) {}
    const std::error_code& code() const noexcept { return code_; }

  private:
    std::error_code code_;
};

}  // namespace forkline
