// forkline's one error type.
//
// The rule used everywhere: "could not run" (bad options, a worker that cannot be
// spawned, a segment that cannot be created or fails validation) is thrown as
// forkline::Error with a message that says what and why. "Ran and failed" (a job
// whose worker died, a handler that threw) is a value inside the job's result.
#pragma once

#include <stdexcept>
#include <string>

namespace forkline {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace forkline
