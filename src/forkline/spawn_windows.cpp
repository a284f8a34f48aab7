// spawn() on Windows: CreateProcessW with an explicit handle list and a Job Object.
//
// Why each piece (spawn.hpp has the contract):
// - PROC_THREAD_ATTRIBUTE_HANDLE_LIST with bInheritHandles: only the handles listed reach the
//   child, even while other threads spawn with other inheritable handles (plain
//   bInheritHandles would hand every inheritable handle to every child, and a pipe end
//   leaked into a sibling means EOF never comes; windows.md risk 4). The standard handles
//   are passed as private inheritable duplicates, so the caller's handles keep their flags.
// - CREATE_SUSPENDED until the child is in its job: nothing it starts can escape the job.
// - Boost.Process v2 is not used: its launcher inherits every inheritable handle, and its
//   quoting is wrong for programs that read their own quotes (windows.md risks 2 and 4).
#include <windows.h>

#include <algorithm>
#include <cwctype>
#include <memory>

#include "spawn.hpp"
#include "utf16.hpp"
#include "windows_command_line.hpp"
#include "windows_error.hpp"

namespace forkline {

namespace {

HANDLE duplicate_handle(HANDLE handle, bool inheritable) {
    HANDLE copy = nullptr;
    if (!::DuplicateHandle(::GetCurrentProcess(), handle, ::GetCurrentProcess(), &copy, 0,
                           inheritable ? TRUE : FALSE, DUPLICATE_SAME_ACCESS)) {
        return nullptr;
    }
    return copy;
}

// The child's standard handle `fd` (0-2): the one listed, else ours; as an inheritable copy
// owned here until the spawn is over (null: the child gets none).
UniqueHandle standard_handle(const SpawnOptions& options, int fd) {
    static constexpr DWORD kOurs[] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
    const auto listed = std::find_if(options.inherit.begin(), options.inherit.end(),
                                     [&](const auto& entry) { return entry.first == fd; });
    if (listed == options.inherit.end()) {
        // Ours may be missing (a GUI parent, a closed handle): then the child has none too.
        const HANDLE ours = ::GetStdHandle(kOurs[fd]);
        return UniqueHandle(ours == nullptr || ours == INVALID_HANDLE_VALUE
                                ? nullptr
                                : duplicate_handle(ours, true));
    }
    if (listed->second == nullptr || listed->second == INVALID_HANDLE_VALUE) return {};
    UniqueHandle copy(duplicate_handle(listed->second, true));
    if (!copy.valid()) throw_windows_error("DuplicateHandle for descriptor " + std::to_string(fd));
    return copy;
}

// The attribute list that carries the handle list; deleted with it.
class HandleListAttribute {
  public:
    explicit HandleListAttribute(std::vector<HANDLE> handles) : handles_(std::move(handles)) {
        SIZE_T size = 0;
        ::InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
        storage_ = std::make_unique<char[]>(size);
        list_ = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage_.get());
        if (!::InitializeProcThreadAttributeList(list_, 1, 0, &size))
            throw_windows_error("InitializeProcThreadAttributeList");
        if (!::UpdateProcThreadAttribute(list_, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                                         handles_.data(), handles_.size() * sizeof(HANDLE), nullptr,
                                         nullptr)) {
            const DWORD error = ::GetLastError();
            ::DeleteProcThreadAttributeList(list_);
            throw_windows_error("UpdateProcThreadAttribute", error);
        }
    }
    ~HandleListAttribute() { ::DeleteProcThreadAttributeList(list_); }
    HandleListAttribute(const HandleListAttribute&) = delete;
    HandleListAttribute& operator=(const HandleListAttribute&) = delete;
    LPPROC_THREAD_ATTRIBUTE_LIST get() const { return list_; }

  private:
    std::vector<HANDLE> handles_;  // UpdateProcThreadAttribute keeps a pointer to these
    std::unique_ptr<char[]> storage_;
    LPPROC_THREAD_ATTRIBUTE_LIST list_ = nullptr;
};

// "NAME" of "NAME=value"; Windows keeps hidden entries such as "=C:=C:\dir" (name "=C:").
std::wstring_view variable_name(std::wstring_view entry) {
    return entry.substr(0, entry.find(L'=', 1));
}

bool same_name(std::wstring_view a, std::wstring_view b) {  // names ignore case on Windows
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(),
                      [](wchar_t x, wchar_t y) { return std::towupper(x) == std::towupper(y); });
}

std::vector<std::wstring> our_environment() {
    std::vector<std::wstring> entries;
    const std::unique_ptr<wchar_t, decltype(&::FreeEnvironmentStringsW)> block(
        ::GetEnvironmentStringsW(), &::FreeEnvironmentStringsW);
    for (const wchar_t* entry = block.get(); entry != nullptr && *entry != L'\0';
         entry += std::wcslen(entry) + 1) {
        entries.emplace_back(entry);
    }
    return entries;
}

// The CREATE_UNICODE_ENVIRONMENT block ("K=V\0…\0\0"); empty: the child inherits ours.
std::wstring environment_block(const SpawnOptions& options) {
    if (!options.environment && options.extra_env.empty()) return {};
    std::vector<std::wstring> entries;
    if (options.environment) {
        for (const auto& entry : *options.environment) entries.push_back(widen(entry));
    } else {
        entries = our_environment();
    }
    std::vector<std::wstring> extra;
    for (const auto& entry : options.extra_env) extra.push_back(widen(entry));
    std::wstring block;
    for (const auto& entry : entries) {
        const bool replaced = std::any_of(extra.begin(), extra.end(), [&](const auto& other) {
            return same_name(variable_name(entry), variable_name(other));
        });
        if (!replaced) block += entry + L'\0';
    }
    for (const auto& entry : extra) block += entry + L'\0';
    if (block.empty()) block += L'\0';  // an empty environment still needs its terminator
    return block + L'\0';
}

bool ends_with_ignoring_case(std::wstring_view text, std::wstring_view suffix) {
    return text.size() >= suffix.size() &&
           same_name(text.substr(text.size() - suffix.size()), suffix);
}

// A batch file is run by cmd.exe, never by CreateProcess directly (which would start cmd
// with its own, unsafe quoting): `cmd.exe /d /s /c "LINE"`, where /s makes cmd take LINE
// between the outer quotes as written. cmd expands %VAR% and !VAR! even inside quotes and
// cannot pass a '"' through, so such arguments are refused rather than altered.
std::wstring batch_command_line(const std::wstring& line, const SpawnOptions& options) {
    if (!options.raw_arguments) {
        for (const auto& arg : options.args) {
            if (arg.find_first_of("%!\"\r\n") != std::string::npos)
                throw ExecError("failed to execute " + options.program.string() +
                                    ": a batch file cannot be passed the argument '" + arg + "'",
                                windows_error_code(ERROR_BAD_ARGUMENTS));
        }
    }
    return L"cmd.exe /d /s /c \"" + line + L"\"";
}

std::wstring command_interpreter() {
    wchar_t system[MAX_PATH];
    const UINT size = ::GetSystemDirectoryW(system, MAX_PATH);
    return std::wstring(system, size) + L"\\cmd.exe";
}

// The quoting of args as cmd reads them: a word with a cmd metacharacter goes in "…".
std::string batch_arguments(const std::vector<std::string>& args) {
    std::string line;
    for (const auto& arg : args) {
        const bool plain = !arg.empty() && arg.find_first_of(" \t&|<>^(),;=") == std::string::npos;
        line += ' ';
        line += plain ? arg : '"' + arg + '"';
    }
    return line;
}

}  // namespace

UniqueHandle create_kill_on_close_job() {
    UniqueHandle job(::CreateJobObjectW(nullptr, nullptr));
    if (!job.valid()) throw_windows_error("CreateJobObject");
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits,
                                   sizeof limits)) {
        throw_windows_error("SetInformationJobObject");
    }
    return job;
}

Child spawn(const SpawnOptions& options) {
    const std::string program = options.program.string();
    std::filesystem::path application = options.program;
    // As on POSIX, a relative program is relative to where the child runs.
    if (application.is_relative() && !options.working_directory.empty())
        application = options.working_directory / application;
    std::wstring application_name = application.wstring();

    const std::string program_word = options.argv0.empty() ? program : options.argv0;
    const bool batch = ends_with_ignoring_case(application_name, L".bat") ||
                       ends_with_ignoring_case(application_name, L".cmd");
    std::string arguments;
    if (options.raw_arguments) {
        // Appended piece by piece: GCC 12 -O3 warns falsely about " " + string (-Wrestrict).
        if (!options.raw_arguments->empty()) (arguments += ' ') += *options.raw_arguments;
    } else {
        for (const auto& arg : options.args) (arguments += ' ') += quote_windows_argument(arg);
        if (batch) arguments = batch_arguments(options.args);
    }
    std::wstring command_line;
    if (batch) {
        std::string line(1, '"');
        ((line += application.string()) += '"') += arguments;
        command_line = batch_command_line(widen(line), options);
        application_name = command_interpreter();
    } else {
        command_line = widen(quote_windows_program(program_word) + arguments);
    }

    UniqueHandle standard[3];
    std::vector<HANDLE> inherited;
    for (int fd = 0; fd < 3; ++fd) {
        standard[fd] = standard_handle(options, fd);
        if (standard[fd].valid()) inherited.push_back(standard[fd].get());
    }
    for (void* handle : options.inherit_handles) {
        if (!::SetHandleInformation(handle, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT))
            throw_windows_error("SetHandleInformation for an inherited handle");
        if (std::find(inherited.begin(), inherited.end(), handle) == inherited.end())
            inherited.push_back(handle);
    }
    std::optional<HandleListAttribute> attribute;
    if (!inherited.empty()) attribute.emplace(inherited);

    STARTUPINFOEXW startup{};
    startup.StartupInfo.cb = sizeof startup;
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    startup.StartupInfo.hStdInput = standard[0].get();
    startup.StartupInfo.hStdOutput = standard[1].get();
    startup.StartupInfo.hStdError = standard[2].get();
    startup.lpAttributeList = attribute ? attribute->get() : nullptr;

    UniqueHandle job;
    if (options.job != nullptr) {
        job.reset(duplicate_handle(options.job, false));
        if (!job.valid()) throw_windows_error("DuplicateHandle for the job");
    } else {
        job = create_kill_on_close_job();
    }

    std::wstring environment = environment_block(options);
    const std::wstring directory = options.working_directory.wstring();
    DWORD flags = CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT;
    if (options.new_process_group) flags |= CREATE_NEW_PROCESS_GROUP;
    PROCESS_INFORMATION info{};
    if (!::CreateProcessW(
            application_name.c_str(), command_line.data(), nullptr, nullptr,
            attribute ? TRUE : FALSE, flags, environment.empty() ? nullptr : environment.data(),
            directory.empty() ? nullptr : directory.c_str(), &startup.StartupInfo, &info)) {
        const DWORD error = ::GetLastError();
        throw ExecError("failed to execute " + program + ": " + windows_error_text(error),
                        windows_error_code(error));
    }
    UniqueHandle process(info.hProcess);
    const UniqueHandle thread(info.hThread);
    if (!::AssignProcessToJobObject(job.get(), process.get())) {
        const DWORD error = ::GetLastError();
        ::TerminateProcess(process.get(), kKilledExitCode);
        ::WaitForSingleObject(process.get(), INFINITE);
        throw_windows_error("AssignProcessToJobObject", error);
    }
    if (::ResumeThread(thread.get()) == static_cast<DWORD>(-1)) {
        const DWORD error = ::GetLastError();
        ::TerminateJobObject(job.get(), kKilledExitCode);
        ::WaitForSingleObject(process.get(), INFINITE);
        throw_windows_error("ResumeThread", error);
    }
    return Child(info.dwProcessId, std::move(process), std::move(job));
}

int exec_failure_status(const ExecError& error) {
    switch (error.code().value()) {
        case ERROR_FILE_NOT_FOUND:
        case ERROR_PATH_NOT_FOUND:
        case ERROR_INVALID_NAME:
        case ERROR_BAD_PATHNAME:
            return 127;
        default:
            return 126;
    }
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, 0)),
      process_(std::move(other.process_)),
      job_(std::move(other.job_)) {}

Child& Child::operator=(Child&& other) noexcept {
    if (this != &other) {
        destroy();
        pid_ = std::exchange(other.pid_, 0);
        process_ = std::move(other.process_);
        job_ = std::move(other.job_);
    }
    return *this;
}

Child::~Child() {
    destroy();
}

void Child::destroy() noexcept {
    if (process_.valid()) {
        kill();
        ::WaitForSingleObject(process_.get(), INFINITE);
        process_.reset();
    }
    pid_ = 0;
}

std::optional<ExitStatus> Child::try_wait() {
    if (!process_.valid()) throw std::logic_error("Child::try_wait on a reaped child");
    if (::WaitForSingleObject(process_.get(), 0) != WAIT_OBJECT_0) return std::nullopt;
    DWORD code = 0;
    if (!::GetExitCodeProcess(process_.get(), &code)) throw_windows_error("GetExitCodeProcess");
    process_.reset();
    pid_ = 0;
    return exit_status_from_exit_code(code);
}

ExitStatus Child::wait() {
    if (!process_.valid()) throw std::logic_error("Child::wait on a reaped child");
    if (::WaitForSingleObject(process_.get(), INFINITE) == WAIT_FAILED)
        throw_windows_error("WaitForSingleObject");
    return *try_wait();
}

void Child::kill() const {
    if (process_.valid()) ::TerminateJobObject(job_.get(), kKilledExitCode);
}

bool Child::interrupt() const {
    return process_.valid() && ::GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, pid_) != 0;
}

}  // namespace forkline
