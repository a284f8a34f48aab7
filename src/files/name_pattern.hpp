// Shell patterns on file names, as fnmatch(pattern, name, 0) in the C locale matches them
// (byte by byte): * any run, ? one byte, [abc] [a-z] [!x] [^x] one of a set, \ quotes the next
// byte (a \ at the end matches nothing); a [ without its ] is itself. The Windows build's
// name_matches, which has no fnmatch; test_files checks it against glibc's fnmatch.
#pragma once

#include <string_view>

namespace files {

bool glob_matches(std::string_view pattern, std::string_view name);

}  // namespace files
