// The forkline tool's subcommands: each parses argv from argv[2] on and returns the exit
// status. forkline.cpp runs each with cli::run_tool named "forkline NAME": a UsageError
// thrown out of one becomes "forkline NAME: error: …".
#pragma once

int run_main(int argc, char** argv);
int ports_main(int argc, char** argv);
int files_main(int argc, char** argv);
int top_main(int argc, char** argv);
int worker_main(int argc, char** argv);
int top_main(int argc, char** argv);
