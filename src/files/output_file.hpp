// `forkline files --output FILE`: the file opened for writing as a stdio stream, never
// inherited by a child (POSIX: "e", O_CLOEXEC; Windows: "N", and the UTF-8 path widened).
#pragma once

#include <cstdio>
#include <string>

namespace files {

// nullptr with errno set when it cannot be opened.
std::FILE* open_output_file(const std::string& path);

}  // namespace files
