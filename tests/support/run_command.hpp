// Runs a program to completion for a test: feeds stdin, captures stdout and stderr.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace test_support {

struct CommandResult {
    std::string out;
    std::string err;
    int code = -1;   // exit code, -1 when killed
    int signal = 0;  // killing signal, 0 when it exited
};

// argv[0] is looked up in PATH unless it has a '/'.
// Kills the program (SIGKILL) if it runs longer than `limit`: no test can hang.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = {},
                          std::chrono::seconds limit = std::chrono::seconds(60));

// Runs argv with a shell redirection applied to it (">/dev/full", ">&-", "<&-"): how a tool
// meets a full disk or a closed descriptor.
CommandResult run_redirected(const std::string& redirection, const std::vector<std::string>& argv,
                             const std::string& input = {});

// Text typed on a terminal once the output shows `after` (searched from where the previous
// step's `after` was found).
struct Keystrokes {
    std::string after;
    std::string keys;
};

// Whether `program` is found in PATH (script(1), which run_on_terminal needs; bash…).
bool have_program(const std::string& program);

// Runs `shell_command` with /bin/sh -c under script(1): in a new session whose controlling
// terminal is a new pseudo-terminal, typing `steps` into it. `out` is what the terminal shows
// (the echo of what was typed included, lines end in "\r\n"), `code` the command's status.
// Killed past `limit`.
CommandResult run_on_terminal(const std::string& shell_command,
                              const std::vector<Keystrokes>& steps,
                              std::chrono::seconds limit = std::chrono::seconds(20));

// `text` single-quoted for a shell command line.
std::string shell_quoted(const std::string& text);

// Starts a program with stdout and stderr discarded; returns its pid (the caller reaps).
pid_t start_command(const std::vector<std::string>& argv);

// Lines of `text`, without their newlines.
std::vector<std::string> lines_of(const std::string& text);

// This process's open descriptors, by number.
std::vector<int> open_fds();

// PIDs of the direct children of `parent` (from /proc).
std::vector<pid_t> children_of(pid_t parent);

// Waits up to 1 s until `parent` has at least `count` children; returns them.
std::vector<pid_t> wait_for_children(pid_t parent, std::size_t count);

// A new directory /tmp/PREFIX-XXXXXX for this test process's files, removed with its contents
// when the process exits (by the process that made it, not by a forked child that calls exit).
// Call once per prefix, from a function-local static.
std::string scratch_directory(const std::string& prefix);

// /dev/shm entries named forkline-<pid>-*.
std::vector<std::string> segments_of(pid_t pid);

// Waits up to `limit` for `pid` to be gone (not existing, or a zombie of someone else).
bool wait_gone(pid_t pid, std::chrono::milliseconds limit);

}  // namespace test_support
