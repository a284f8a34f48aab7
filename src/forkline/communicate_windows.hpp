// The communicate part of a Windows pipeline (pipeline_windows.cpp): the input written and
// the captured outputs read, each pipe by a thread of its own, so none can block another
// (the deadlock Popen.communicate exists to avoid) — Windows only.
//
// Why threads: anonymous pipes (CreatePipe) have no overlapped I/O and no readiness to wait
// for; Asio's overlapped named pipes read in small pieces and cannot release their handles
// under wine (windows.md risk 4). A thread blocked in ReadFile or WriteFile per pipe is
// simple, and a pipeline has at most three such pipes. The end of a pipe is
// ERROR_BROKEN_PIPE (every writer closed its end) or ERROR_NO_DATA (the reader is gone).
#pragma once

#ifndef _WIN32
#error "communicate_windows.hpp is Windows only; POSIX uses communicate.hpp"
#endif

#include <windows.h>

#include <memory>
#include <string>
#include <string_view>

#include "unique_handle.hpp"

namespace forkline {

struct Pipe {
    UniqueHandle read;
    UniqueHandle write;
};

// An anonymous pipe (CreatePipe, 1 MiB asked for). Not inheritable: spawn() hands each child
// private inheritable copies of the ends it lists.
Pipe make_pipe();

// Reads a pipe to its end in a thread of its own.
class PipeReader {
  public:
    // Starts reading `read`; sets `wake` (an event that outlives this) whenever bytes or
    // the end arrive.
    PipeReader(UniqueHandle read, HANDLE wake);
    // Joins the thread: every write end must be closed first (their processes ended).
    ~PipeReader();
    PipeReader(const PipeReader&) = delete;
    PipeReader& operator=(const PipeReader&) = delete;

    std::string take();  // the bytes that arrived since the last call
    bool done();         // the end was reached: nothing more will arrive
    void join();         // waits for the end

  private:
    struct Shared;
    std::unique_ptr<Shared> shared_;
};

// Writes bytes to a pipe in a thread of its own, then closes it (the reader sees the end);
// stops early when the reader is gone.
class PipeWriter {
  public:
    // `data` must outlive the writer.
    PipeWriter(UniqueHandle write, std::string_view data);
    ~PipeWriter();  // joins: the reading process must have read it all, or be gone
    PipeWriter(const PipeWriter&) = delete;
    PipeWriter& operator=(const PipeWriter&) = delete;
    void join();

  private:
    struct Shared;
    std::unique_ptr<Shared> shared_;
};

}  // namespace forkline
