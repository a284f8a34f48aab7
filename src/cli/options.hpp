// One option parser for every tool, on getopt_long: --name, --name=VALUE, --name VALUE,
// -x, -xVALUE, -x VALUE, bundled flags (-kv), unique prefixes of long names, and `--`.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace cli {

struct Option {
    const char* name;          // the long name, without "--"
    char short_name = 0;       // 0: no one-letter form
    bool takes_value = false;  // the option needs a value (--name=V, --name V, -xV, -x V)
    std::function<void(const std::string& value)> apply;  // value is "" for a flag
};

enum class Operands {
    anywhere,  // options and operands mix (procs 2 --json)
    last,      // the first operand ends the options: what follows is the command's own
               // (forkline run 'cmd -x' ::: a, as GNU parallel)
};

// Applies each option of argv[first…] in order and returns the operands. An unknown
// option, a missing or unexpected value is a UsageError naming the option as given.
std::vector<std::string> parse_options(int argc, char** argv, int first,
                                       const std::vector<Option>& options,
                                       Operands operands = Operands::anywhere);

}  // namespace cli
