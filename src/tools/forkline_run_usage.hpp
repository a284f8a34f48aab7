// The --help text of `forkline run` (also its man page, through help2man): the options,
// the input sources, the differences a GNU parallel user meets, the exit statuses.
#pragma once

namespace run_usage {

inline constexpr const char* kRunUsage = R"(usage: forkline run [OPTIONS] [TEMPLATE [SOURCE…]]

Run commands in parallel on a pool of worker processes.
  forkline run -j 4 'gzip -9 {}' ::: *.log          template + arguments
  find . -name '*.log' | forkline run 'gzip -9 {}'  arguments from stdin, one per line
  forkline run -j 4 < commands.txt                  one command (a pipeline) per line
  forkline run --json-jobs jobs.jsonl               {"cmd": "…", "timeout": 5, "input": "…"}

Each command is a pipeline run without a shell (see runpipe --help for the syntax) unless
--shell. Placeholders: {} the argument(s), {.} without extension, {/} basename, {//} dirname,
{/.} basename without extension, {#} the job number, {%} the job slot (1 to -j), {N} {N.}
{N/} {N//} {N/.} the N-th argument; an unknown {…} stays as it is ({= perl =} is
refused). Without any, the arguments are appended. Each argument becomes part of its word
exactly as it is, also inside '…' or "…": any file name is safe. Options come before the
template, the arguments after :::; -- ends the options. A template of several words
(gzip -9) is joined with spaces as GNU parallel joins it ('|' stays a pipe), but a word
with a blank or a quote stays one word, as xargs passes it (grep -l 'a b').

Options:
  -j, -P, --jobs, --max-procs N
                     commands at once, 1 to 4096 (default: the number of cores); N% of
                     the cores; +N / -N: the cores plus / minus N (at least 1); 0: as many
                     as the limits allow (4096, open files, RLIMIT_NPROC). Never more
                     workers than jobs when the input ends within N (::: a: one)
  -n, --max-args K   up to K arguments per command (with a template)
  -N, --max-replace-args K
                     K arguments per command (the last may have fewer), {1}…{K};
                     0: a command per argument, with none of it (as GNU parallel)
  -m                 as many arguments per command as fit 128 KiB
  -X                 the same, each word holding {} repeated for each argument
  -I STR             STR is the placeholder for the argument(s), instead of {}
  -i, --replace[=STR]  the same (STR by default {}), as xargs
  --json-jobs FILE   read jobs from FILE as JSON lines ('-' for stdin); this was --jobs,
                     which is now GNU parallel's -j
  --shell[=SHELL]    run each command with SHELL -c (a name in PATH or a path; default
                     $PARALLEL_SHELL, else /bin/sh); bash runs export -f functions.
                     --shell SHELL: the next word is the shell when it is a shell's name
                     (sh bash dash ksh mksh zsh ash yash fish) or an absolute path and
                     no ::: follows it (--shell -- bash: bash is the template).
                     $PARALLEL_SHELL set, without --shell: as --shell=$PARALLEL_SHELL
  --timeout S|N%     per job: SIGTERM to its process group, SIGKILL after --grace;
                     0 (the default): no timeout. N%: N% of the median runtime of the jobs
                     that succeeded so far (as GNU parallel), from the first success on;
                     a job's limit is set when it starts
  --grace S          SIGTERM -> SIGKILL delay (default 1); given, it is also how long running
                     jobs may go on after a first SIGINT
  --retries K        up to K more attempts of a failed job
  --halt WHEN,WHY=N  stop after N jobs (N%: N% of all the jobs, once the input has ended)
                     failed (WHY fail), succeeded (success) or ended (done): WHEN 'now'
                     cancels running jobs, 'soon' lets them end; GNU's 0 1 2 -1 -2 N% too.
                     Exit status then as GNU: 0 after success; the job's status after
                     fail=1 / done=1; the % of failed jobs with N%; else the failed count
  --rate N/s|N/m     start at most N jobs per second (or minute)
  --delay S          wait S seconds between two starts
  -k, --keep-order   print outputs in input order (default: completion order); a job
                     that ends far ahead of a slow one is held, but at most 1000 jobs or
                     16 MiB of output: then no new job starts until the slow one ends.
                     In any order, a job still running lets at most 127 jobs (or 2 x -j)
                     start after it (the shared queue's length), then starts wait for it
  --joblog [+]FILE   GNU parallel's joblog (TSV: Seq Host Starttime JobRuntime Send Receive
                     Exitval Signal Command); +FILE appends. In Command, backslash, tab,
                     newline and carriage return are written \\ \t \n \r, other control
                     bytes \xNN; a job with stdin input ends in ' #\input=sha256:HEX' (HEX:
                     sha256sum of the input). One write per line: a SIGKILL never cuts one
  --joblog-sync S|job  fdatasync the joblog at most S seconds after a line (default 1) and
                     at the end, so power loss costs at most S seconds of the journal; 'job':
                     after every line (2000 x true, -j 2: 5 s instead of 1.5 s here)
  --resume           with --joblog: skip the jobs it has (done or failed), append the rest;
                     jobs cancelled (Ctrl-C twice, SIGTERM, --halt now) are not in it
  --resume-failed    with --joblog: skip the jobs it has done (Exitval and Signal 0), run
                     the failed ones again and the rest
  --retry-failed     run the failed jobs of --joblog again: the commands come from it (the
                     command line's jobs are ignored), with the same --shell as before
  --json             one JSON line per finished job (seq, command, exit_code, signal,
                     timed_out, attempts, duration, stdout, stderr; invalid UTF-8 -> U+FFFD)
  --line-buffer, --lb
                     print whole lines of every running job as they come (a line is never
                     cut or mixed; a job's unterminated last piece when it ends)
  -u, --ungroup      print output bytes as they come (lines of jobs may mix)
  --group            each job's output whole when it ends (the default)
  --tag              put the job's arguments and a TAB before each output line (stdout and
                     stderr; grouped or --line-buffer)
  --tagstring STR    as --tag, with STR (placeholders expanded, unquoted) as the tag
  --results, --res DIR
                     keep each job's output in DIR/1/ARG/{stdout,stderr,seq,signal,exitval}
                     (GNU parallel's folders), and DIR/index.jsonl (one line per job: seq,
                     exit_code, signal, timed_out, command, directory); printed too
  --redis URL        run the jobs on worker hosts: each runs forkline worker --redis URL
                     [--queue NAME] (redis://[user:password@]host[:port][/db]). -j N then
                     counts command workers on this host beside them (default 0: the hosts
                     only). Outputs of any size come back through Redis in 1 MiB chunks
                     (--results files are written here); the joblog's Host and --json's
                     host name the host that ran each job; a dead host's jobs run again
                     elsewhere, each reported once. At most 1024 jobs are in flight ({%}: 1
                     to 1024). Not with -u or --line-buffer
  --queue NAME       the queue the worker hosts serve (default: forkline)
  --max-output B     with --redis: a job's stdout and stderr together at most B bytes
                     (default 1 GiB); a larger output fails the job with a message
  --dry-run          print the commands, run nothing
  --progress, --bar, --eta
                     progress line on stderr even when it is not a terminal (done,
                     running, failed, rate; the total and ETA once the input has ended)
  --no-progress      no progress line, even on a terminal
  -r, --no-run-if-empty  no job for an empty (or blank) record of a file or stdin
  --will-cite, --no-notice
                     accepted for GNU scripts: forkline prints no notice
Input sources (after the template; as GNU parallel):
  ::: ARG…           arguments; several ::: give every combination, the last fastest;
                     without a template each ARG is a command (as GNU parallel)
  :::+ ARG…          arguments zipped with the source before it (as many as the shorter)
  :::: FILE…         each FILE's records a source ('-': stdin); ::::+ zips as :::+
  -a, --arg-file F   the same before the other sources (may be repeated)
  --link             zip every source; the shorter ones wrap around
  -0, --null         records end with a NUL byte (default: a newline)
  -d, --delimiter D  records end with D (\n \t \r \0 \\ escapes)
  --colsep REGEX     split each record into columns {1}…{N}
  --header :         the first record of each source names its columns: {name}
Records are read as they arrive (a slow pipe, a FIFO that never closes: each job starts
once its record is complete). Only the first source streams; the others are read whole
first. An empty line is an empty argument (as GNU parallel) unless -r; in a command file
blank lines and # comments are skipped.

  -h, --help         show this help
  --version          show the version

Each job's output is printed whole, never mixed with another's. SIGINT: the first stops new
starts, the second cancels running jobs (their whole process groups); exit 130. If the
output or the joblog cannot be written, running jobs are cancelled the same way and
forkline run fails (exit 255), or, when the reader of its output has gone (| head -1),
ends quietly by SIGPIPE.

GNU parallel options that forkline does not support (--pipe, -S, --semaphore, --env, …)
are refused, each with one line naming it (exit 255), never ignored.

Resuming: GNU parallel matches joblog lines to jobs by Seq; forkline matches by the
Command column (the expanded command, plus its input's digest), so a changed job list
runs exactly its new or changed jobs. Identical jobs are counted: N done skip the first N.
A command with {%} differs between runs. A joblog's last line cut by power loss is ignored
with a warning (and cut off before appending); a bad line before it is an error. Skipped
jobs count as done, not in the exit status; at the end stderr says how many were
skipped: forkline run: N skipped (done in joblog 'FILE').

Exit status (as GNU parallel): 0 every job succeeded; 1-100 the number of failed jobs;
101 more than 100 failed; 130/143 interrupted by SIGINT/SIGTERM; 255 bad usage or any
other error.
)";

}  // namespace run_usage
