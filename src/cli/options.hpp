// One option parser for every tool, on getopt_long: --name, --name=VALUE, --name VALUE,
// -x, -xVALUE, -x VALUE, bundled flags (-kv), unique prefixes of long names, and `--`.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace cli {

// Who is reading the options: every command gets --help (-h) and --version from the parser,
// which print `usage` or "NAME (forkline) VERSION" and end the command (cli::Finished).
struct Command {
    std::string name;   // "procs", "forkline run"
    const char* usage;  // the --help text (help2man makes the man page from it)
};

// Thrown after --help or --version has printed: run_tool checks the output and returns
// `status`, so no option check or work that would follow runs.
struct Finished {
    int status = 0;
};

struct Option {
    const char* name;          // the long name, without "--"; nullptr: a one-letter option only
    char short_name = 0;       // 0: no one-letter form
    bool takes_value = false;  // the option needs a value (--name=V, --name V, -xV, -x V)
    std::function<void(const std::string& value)> apply;  // value is "" for a flag
    bool value_optional = false;  // with takes_value: only --name=V and -xV give one (apply
                                  // gets "" without); a following word is never taken
};

enum class Operands {
    anywhere,  // options and operands mix (procs 2 --json)
    last,      // the first operand ends the options: what follows is the command's own
               // (forkline run 'cmd -x' ::: a, as GNU parallel)
};

// Applies each option of argv[first…] in order and returns the operands. An unknown
// option, a missing or unexpected value is a UsageError naming the option as given.
std::vector<std::string> parse_options(int argc, char** argv, int first, const Command& command,
                                       std::vector<Option> options,
                                       Operands operands = Operands::anywhere);

}  // namespace cli
