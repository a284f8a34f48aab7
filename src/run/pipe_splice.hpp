// Moving a pipe's bytes on without copying them through this process (Linux splice and
// tee): what makes --line-buffer as fast as cat. The bytes stay in the kernel's pipe pages;
// to keep lines whole only the end of what a pipe holds is read, to find its last newline.
#pragma once

#include <cstddef>

#include "unique_fd.hpp"

namespace run {

class PipeSplicer {
  public:
    PipeSplicer();  // a scratch pipe and /dev/null; throws forkline::OsError

    // Whether splice() can write into `fd`: a pipe, a socket, /dev/null, or a regular file
    // not opened for appending (a terminal, for one, cannot take spliced pages).
    static bool can_splice_to(int fd);

    // The size of the longest start of what `pipe` holds now that ends with a newline, when
    // that newline is among its last bytes (0 otherwise: none there, or `pipe` is empty).
    // Nothing is taken from `pipe`.
    std::size_t whole_lines(int pipe);

    // Moves exactly `size` bytes (that `pipe` holds) from `pipe` to `to`, waiting while `to`
    // is full. Throws cli::OutputError naming `name` when `to` cannot take them.
    void move(int pipe, int to, std::size_t size, const char* name);

  private:
    forkline::UniqueFd scratch_read_;  // tee() copies what a pipe holds here (by reference)
    forkline::UniqueFd scratch_write_;
    forkline::UniqueFd null_;  // where the scratch copy's start goes
};

}  // namespace run
