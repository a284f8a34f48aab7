// forkline's one error type.
//
// The rule used everywhere: "could not run" (bad options, a worker that cannot be
// spawned, a segment that cannot be created or fails validation) is thrown as
// forkline::Error with a message that says what and why. "Ran and failed" (a job
// whose worker died, a handler that threw) is a value inside the job's result.
//
// A failed system call is an OsError, the one way forkline reports one: an Error (so the
// rule above holds) that keeps the errno, with the message "WHAT: REASON".
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

class OsError : public Error {
  public:
    // `error` is the errno; 0 when it was lost (the message then has no reason).
    OsError(const std::string& what, int error)
        : Error(error != 0 ? what + ": " + std::system_category().message(error) : what),
          code_(error, std::system_category()) {}
    const std::error_code& code() const noexcept { return code_; }

  private:
    std::error_code code_;
};

}  // namespace forkline
