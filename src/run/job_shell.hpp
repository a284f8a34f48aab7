// The shell that runs the commands of `forkline run` when they need one. The default is
// /bin/sh (not GNU parallel's "the shell that started it"), so a run does the same from any
// shell; bash is asked for by name so that `export -f` functions work:
//   --shell           $PARALLEL_SHELL when set, else /bin/sh
//   --shell=SHELL     SHELL (a name looked up in PATH, or a path)
//   --shell SHELL     the same, when the word after a bare --shell names a shell (see
//                     names_a_shell) and no ::: source follows it: `--shell bash ::: a.sh`
//                     runs the template `bash` under /bin/sh; `--shell -- bash …` too
//   $PARALLEL_SHELL   set and not empty, without --shell: as --shell=$PARALLEL_SHELL
#pragma once

#include <string>

namespace run {

// A word that can only mean a shell: the name of a known shell (sh, bash, dash, ksh, mksh,
// zsh, ash, yash, fish) found in PATH, or an absolute path to an executable file.
bool names_a_shell(const std::string& word);

// The absolute path of the shell `name`; a UsageError naming `source` (--shell,
// $PARALLEL_SHELL) when it is not an executable file.
std::string find_shell(const std::string& source, const std::string& name);

}  // namespace run
