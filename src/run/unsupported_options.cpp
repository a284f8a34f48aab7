#include "unsupported_options.hpp"

#include <string>

#include "usage_error.hpp"

namespace run {

namespace {

struct Unsupported {
    std::vector<const char*> long_names;  // GNU's name and its aliases
    const char* short_names;              // its one-letter forms
    const char* why;
};

// Grouped by what they are for; the reason says what to do instead where there is a way.
// None may start with the name of an option forkline supports (--group-by, --arg-file-sep
// are left out): getopt takes a unique prefix for the whole name, so before that option
// existed it would have been refused as the longer one.
const std::vector<Unsupported>& unsupported() {
    static const auto* const list = new std::vector<Unsupported>{
        // Remote execution.
        {{"sshlogin"},
         "S",
         "no ssh (several hosts: --redis URL, with forkline worker --redis URL on each host)"},
        {{"transfer", "transferfile", "tf", "trc", "return", "cleanup", "basefile", "bf"},
         "",
         "jobs run on this machine only: nothing to transfer"},
        {{"sshloginfile", "slf", "onall", "nonall", "ssh", "ssh-delay", "hostgroups", "hgrp",
          "filter-hosts", "rsync-opts", "workdir", "wd"},
         "",
         "jobs run on this machine only"},
        {{"controlmaster"}, "M", "jobs run on this machine only"},
        {{"env", "record-env", "session"},
         "",
         "jobs inherit the whole environment (functions: --shell=bash and export -f)"},
        // Splitting standard input into blocks.
        {{"pipe", "spreadstdin", "pipe-part", "block",  "block-size",     "block-timeout",
          "bt",   "recstart",    "recend",    "regexp", "remove-rec-sep", "removerecsep",
          "rrs",  "round-robin", "round",     "cat",    "fifo",           "shard",
          "bin",  "tee"},
         "",
         "input lines are arguments; no blocks of stdin are passed to jobs"},
        // Semaphores, terminals, confirmation.
        {{"semaphore", "sem", "semaphore-name", "id", "semaphore-timeout", "st", "fg", "bg",
          "wait"},
         "",
         "no semaphore mode"},
        {{"open-tty", "tty", "tmux", "tmuxpane"}, "o", "jobs get no terminal"},
        {{"interactive"}, "p", "jobs are not confirmed one by one"},
        // Load and resource limits.
        {{"nice", "memfree", "memsuspend", "load", "noswap", "limit"},
         "",
         "no resource-based throttling: use -j, --rate or --delay"},
        // Output.
        {{"files", "output-as-files", "outputasfiles", "compress", "compress-program",
          "decompress-program", "tmpdir", "latest-line", "ll"},
         "",
         "outputs are printed (or kept by --results)"},
        {{"color", "color-failed", "cf", "ctag", "ctagstring"}, "", "no colours"},
        {{"verbose"}, "tv", "see the commands with --dry-run, or the results with --json"},
        {{"profile", "plain"}, "J", "forkline reads no profile"},
        {{"silent"}, "", "forkline prints only the jobs' output already"},
        // Replacement strings and command building.
        {{"plus", "rpl", "parens", "basenamereplace", "bnr", "basenameextensionreplace", "bner",
          "dirnamereplace", "dnr", "extensionreplace", "er", "seqreplace", "slotreplace",
          "template", "tmpl", "process-slot-var"},
         "",
         "the placeholders are {} {.} {/} {//} {/.} {#} {%} and {N...}; -I STR for {}"},
        {{"trim"}, "", "arguments are taken as they are"},
        {{"quote", "shell-quote"},
         "q",
         "forkline parses the command itself: no extra quoting needed"},
        {{"xargs"}, "", "use -m or -X"},
        {{"max-chars"}, "s", "-m and -X fill a command line up to the system's limit"},
        {{"exit"}, "x", "no command line size limit to exit on"},
        {{"max-lines"}, "Ll", "use -n or -N"},
        {{"eof"}, "Ee", "input ends at its end"},
        {{"arg-sep"}, "", "the separators are ::: and ::::"},
        {{"csv", "skip-first-line"}, "", "use --colsep and --header"},
        {{"xapply"}, "", "write --link"},
        {{"shuf", "no-keep-order", "total-jobs", "total"}, "", "jobs run in input order"},
        {{"term-seq"}, "", "--timeout sends SIGTERM, then SIGKILL after --grace"},
        // Other modes of GNU parallel.
        {{"embed", "shebang", "hashbang", "shebang-wrap", "shell-completion", "show-limits",
          "number-of-cpus", "number-of-cores", "number-of-sockets", "number-of-threads",
          "use-sockets-instead-of-threads", "use-cores-instead-of-threads",
          "use-cpus-instead-of-cores", "minversion", "max-line-length-allowed"},
         "",
         "not a mode of forkline run"},
        {{"sql", "sqlmaster", "sql-master", "sqlandworker", "sql-and-worker", "sqlworker",
          "sql-worker"},
         "",
         "no SQL job queue (a queue shared by hosts: forkline worker)"},
    };
    return *list;
}

// The option `long_name` or `short_name` (nullptr, 0: none), refused as `shown`.
cli::Option refusal(const char* long_name, char short_name, std::string shown, const char* why) {
    return {long_name, short_name, true,
            [shown, why](const std::string&) {
                throw cli::UsageError(shown + " is not supported (GNU parallel option): " + why);
            },
            true};
}

}  // namespace

std::vector<cli::Option> unsupported_gnu_options() {
    std::vector<cli::Option> options;
    for (const auto& entry : unsupported()) {
        for (const char* name : entry.long_names)
            options.push_back(refusal(name, 0, std::string("--") + name, entry.why));
        // Each one-letter form is an option of its own, so that the message names it.
        for (const char* letter = entry.short_names; *letter != 0; ++letter) {
            options.push_back(refusal(
                nullptr, *letter,
                std::string("-") + *letter + " (--" + entry.long_names.front() + ")", entry.why));
        }
    }
    return options;
}

}  // namespace run
