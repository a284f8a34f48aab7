#include "communicate_windows.hpp"

#include <algorithm>
#include <functional>

#include "srw_lock.hpp"
#include "windows_error.hpp"

namespace forkline {

namespace {

// A thread of the Windows API, joined when destroyed. Not std::thread and std::mutex:
// winpthreads creates handles of its own on first contention and keeps them, which the
// tests' handle-leak check reports at random; CreateThread and an SRWLOCK keep none.
class IoThread {
  public:
    explicit IoThread(std::function<void()> body)
        : body_(std::move(body)), handle_(::CreateThread(nullptr, 0, &run, &body_, 0, nullptr)) {
        if (!handle_.valid()) throw_windows_error("CreateThread");
    }
    ~IoThread() { join(); }
    IoThread(const IoThread&) = delete;
    IoThread& operator=(const IoThread&) = delete;
    void join() {
        if (handle_.valid()) ::WaitForSingleObject(handle_.get(), INFINITE);
        handle_.reset();
    }

  private:
    static DWORD WINAPI run(void* body) {
        (*static_cast<std::function<void()>*>(body))();
        return 0;
    }
    std::function<void()> body_;  // at a fixed address: the thread runs it
    UniqueHandle handle_;
};

}  // namespace

Pipe make_pipe() {
    HANDLE read = nullptr;
    HANDLE write = nullptr;
    if (!::CreatePipe(&read, &write, nullptr, 1 << 20)) throw_windows_error("CreatePipe");
    return {UniqueHandle(read), UniqueHandle(write)};
}

struct PipeReader::Shared {
    UniqueHandle read;
    HANDLE wake;
    SRWLOCK lock = SRWLOCK_INIT;
    std::string arrived;  // under `lock`
    bool done = false;    // under `lock`
    std::unique_ptr<IoThread> thread;

    void read_to_end() {
        char buffer[64 * 1024];
        DWORD got = 0;
        while (::ReadFile(read.get(), buffer, sizeof buffer, &got, nullptr) && got > 0) {
            const SrwLockGuard hold(lock);
            arrived.append(buffer, got);
            ::SetEvent(wake);
        }
        const SrwLockGuard hold(lock);
        done = true;
        ::SetEvent(wake);
    }
};

PipeReader::PipeReader(UniqueHandle read, HANDLE wake) : shared_(std::make_unique<Shared>()) {
    shared_->read = std::move(read);
    shared_->wake = wake;
    Shared* shared = shared_.get();
    shared_->thread = std::make_unique<IoThread>([shared] { shared->read_to_end(); });
}

PipeReader::~PipeReader() {
    join();
}

void PipeReader::join() {
    shared_->thread->join();
}

std::string PipeReader::take() {
    const SrwLockGuard hold(shared_->lock);
    return std::exchange(shared_->arrived, {});
}

bool PipeReader::done() {
    const SrwLockGuard hold(shared_->lock);
    return shared_->done;
}

struct PipeWriter::Shared {
    UniqueHandle write;
    std::string_view data;
    std::unique_ptr<IoThread> thread;

    void write_all() {
        std::string_view rest = data;
        while (!rest.empty()) {
            DWORD written = 0;
            const auto chunk = static_cast<DWORD>(std::min<std::size_t>(rest.size(), 1 << 20));
            if (!::WriteFile(write.get(), rest.data(), chunk, &written, nullptr)) break;
            rest.remove_prefix(written);
        }
        write.reset();  // the reader sees the end
    }
};

PipeWriter::PipeWriter(UniqueHandle write, std::string_view data)
    : shared_(std::make_unique<Shared>()) {
    shared_->write = std::move(write);
    shared_->data = data;
    Shared* shared = shared_.get();
    shared_->thread = std::make_unique<IoThread>([shared] { shared->write_all(); });
}

PipeWriter::~PipeWriter() {
    join();
}

void PipeWriter::join() {
    shared_->thread->join();
}

}  // namespace forkline
