// The forkline tool's subcommands: each parses argv from argv[2] on and returns the exit
// status. A tools::UsageError thrown out of one becomes "forkline NAME: error: …", exit 2.
#pragma once

int run_main(int argc, char** argv);
int ports_main(int argc, char** argv);
int files_main(int argc, char** argv);
int worker_main(int argc, char** argv);
