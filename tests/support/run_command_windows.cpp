// run_command.hpp's Windows half: CreateProcessW with only the child's three pipe ends
// inherited (PROC_THREAD_ATTRIBUTE_HANDLE_LIST: a concurrent spawn cannot catch them, which
// would keep a pipe open and its reader waiting), CreatePipe pipes, and a thread per pipe
// end: anonymous pipes cannot be waited on together as poll() waits on fds.
#include <windows.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "run_command.hpp"
#include "unique_handle.hpp"
#include "utf16.hpp"
#include "windows_command_line.hpp"

namespace test_support {

namespace {

using forkline::UniqueHandle;

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), what);
}

struct Pipe {
    UniqueHandle read;
    UniqueHandle write;
    Pipe() {
        HANDLE ends[2];
        if (!::CreatePipe(&ends[0], &ends[1], nullptr, 0)) fail("CreatePipe");
        read.reset(ends[0]);
        write.reset(ends[1]);
    }
};

// Starts argv with `in`, `out` and `err` as its standard handles, and no other handle
// inherited.
PROCESS_INFORMATION start(const std::vector<std::string>& argv, HANDLE in, HANDLE out, HANDLE err) {
    HANDLE inherited[] = {in, out, err};
    for (const HANDLE handle : inherited)
        ::SetHandleInformation(handle, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    SIZE_T size = 0;
    ::InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
    std::vector<char> storage(size);
    const auto attributes = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage.data());
    if (!::InitializeProcThreadAttributeList(attributes, 1, 0, &size))
        fail("InitializeProcThreadAttributeList");
    const bool listed =
        ::UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherited,
                                    sizeof inherited, nullptr, nullptr);
    STARTUPINFOEXW info{};
    info.StartupInfo.cb = sizeof info;
    info.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    info.StartupInfo.hStdInput = in;
    info.StartupInfo.hStdOutput = out;
    info.StartupInfo.hStdError = err;
    info.lpAttributeList = attributes;
    std::wstring line =
        forkline::widen(forkline::windows_command_line(argv.at(0), {argv.begin() + 1, argv.end()}));
    PROCESS_INFORMATION process{};
    const bool started = listed && ::CreateProcessW(nullptr, line.data(), nullptr, nullptr, TRUE,
                                                    EXTENDED_STARTUPINFO_PRESENT, nullptr, nullptr,
                                                    &info.StartupInfo, &process);
    const DWORD error = ::GetLastError();
    ::DeleteProcThreadAttributeList(attributes);
    if (!started) {
        ::SetLastError(error);
        fail("cannot spawn " + argv[0]);
    }
    return process;
}

// One pipe end served by a thread of its own until the pipe ends: drained into `data`, or
// `data` fed into it. Win32 threads and nothing shared between them: a std::mutex or a
// std::thread makes winpthreads keep an Event handle for the rest of the process when two
// threads contend, which the tests' leak check (leak_probe_windows.cpp) cannot tell from a leak.
struct Transfer {
    UniqueHandle pipe;
    std::string data;
    bool feeding = false;
    UniqueHandle thread;

    static DWORD WINAPI serve(void* self) {
        auto& transfer = *static_cast<Transfer*>(self);
        transfer.feeding ? feed(transfer) : drain(transfer);
        transfer.pipe.reset();
        return 0;
    }

    static void drain(Transfer& transfer) {
        char buffer[65536];
        for (DWORD n = 0;
             ::ReadFile(transfer.pipe.get(), buffer, sizeof buffer, &n, nullptr) && n > 0;)
            transfer.data.append(buffer, n);
    }

    static void feed(Transfer& transfer) {
        const std::string& input = transfer.data;
        for (std::size_t written = 0; written < input.size();) {
            DWORD n = 0;
            const auto chunk =
                static_cast<DWORD>(std::min<std::size_t>(input.size() - written, 65536));
            if (!::WriteFile(transfer.pipe.get(), input.data() + written, chunk, &n, nullptr))
                return;
            written += n;
        }
    }
};

// Starts a thread serving `pipe`; the Transfer is on the heap so that a thread given up on
// (a grandchild keeps its pipe open past the limit, and its read cannot be cancelled) never
// writes into freed memory.
std::unique_ptr<Transfer> start_transfer(UniqueHandle pipe, std::string data = {},
                                         bool feeding = false) {
    auto transfer = std::make_unique<Transfer>();
    transfer->pipe = std::move(pipe);
    transfer->data = std::move(data);
    transfer->feeding = feeding;
    transfer->thread.reset(
        ::CreateThread(nullptr, 0, &Transfer::serve, transfer.get(), 0, nullptr));
    if (!transfer->thread.valid()) fail("CreateThread");
    return transfer;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input,
                          std::chrono::seconds limit) {
    Pipe in, out, err;
    PROCESS_INFORMATION started = start(argv, in.read.get(), out.write.get(), err.write.get());
    const UniqueHandle process(started.hProcess);
    ::CloseHandle(started.hThread);
    in.read.reset();
    out.write.reset();
    err.write.reset();

    std::vector<std::unique_ptr<Transfer>> transfers;
    transfers.push_back(start_transfer(std::move(out.read)));
    transfers.push_back(start_transfer(std::move(err.read)));
    if (!input.empty()) {
        transfers.push_back(start_transfer(std::move(in.write), input, true));
    } else {
        in.write.reset();
    }

    CommandResult result;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    const auto left = [&] {
        return static_cast<DWORD>(
            std::max<long long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                       deadline - std::chrono::steady_clock::now())
                                       .count()));
    };
    if (::WaitForSingleObject(process.get(), left()) != WAIT_OBJECT_0) {
        ::TerminateProcess(process.get(), 1);  // as SIGKILL: no chance to clean up
        ::WaitForSingleObject(process.get(), INFINITE);
        result.signal = 9;
    } else {
        DWORD code = 0;
        ::GetExitCodeProcess(process.get(), &code);
        result.code = static_cast<int>(code);
    }
    // The pipes end when the last holder of their other ends is gone: a grandchild may
    // outlive the child. Past the limit, the threads' reads and writes are cancelled.
    std::vector<HANDLE> threads;
    for (const auto& transfer : transfers) threads.push_back(transfer->thread.get());
    const auto all_done = [&](DWORD milliseconds) {
        return ::WaitForMultipleObjects(static_cast<DWORD>(threads.size()), threads.data(), TRUE,
                                        milliseconds) == WAIT_OBJECT_0;
    };
    bool done = all_done(left());
    for (int attempt = 0; !done && attempt < 100; ++attempt) {
        for (const HANDLE thread : threads) ::CancelSynchronousIo(thread);
        done = all_done(50);
    }
    if (done) {
        result.out = std::move(transfers[0]->data);
        result.err = std::move(transfers[1]->data);
    } else {
        // Threads still running: their buffers are theirs (see start_transfer).
        for (auto& transfer : transfers) static_cast<void>(transfer.release());
    }
    return result;
}

}  // namespace test_support
