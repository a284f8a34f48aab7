// spawn() on Windows (run under wine in CI): command-line quoting round trips through
// CommandLineToArgvW, raw arguments arrive as written, exec failures map to 127/126, the
// environment and directory reach the child, and kill() ends the child's whole tree.
// The helper programs (tests/windows/) are found next to this test's executable.
#include <doctest/doctest.h>
#include <windows.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "spawn.hpp"
#include "unique_handle.hpp"

using forkline::Child;
using forkline::ExecError;
using forkline::spawn;
using forkline::SpawnOptions;
using forkline::UniqueHandle;

namespace {

std::filesystem::path beside_this_test(const char* name) {
    wchar_t self[MAX_PATH];
    ::GetModuleFileNameW(nullptr, self, MAX_PATH);
    return std::filesystem::path(self).parent_path() / name;
}

const std::filesystem::path kEchoArgs = beside_this_test("echo_args.exe");
const std::filesystem::path kHelper = beside_this_test("test_helper.exe");

struct Pipe {
    UniqueHandle read;
    UniqueHandle write;
};

Pipe make_pipe() {
    HANDLE read = nullptr;
    HANDLE write = nullptr;
    REQUIRE(::CreatePipe(&read, &write, nullptr, 0));
    return {UniqueHandle(read), UniqueHandle(write)};
}

std::string read_to_end(HANDLE handle) {
    std::string data;
    char buffer[4096];
    DWORD got = 0;
    while (::ReadFile(handle, buffer, sizeof buffer, &got, nullptr) && got > 0)
        data.append(buffer, got);
    return data;  // ERROR_BROKEN_PIPE: every writer has closed its end
}

struct Captured {
    std::string out;
    forkline::ExitStatus status;
};

// Runs the child with its stdout in a pipe, stdin and stderr none; reads it all.
Captured capture(SpawnOptions options) {
    auto pipe = make_pipe();
    options.inherit = {{0, nullptr}, {1, pipe.write.get()}, {2, nullptr}};
    Child child = spawn(options);
    pipe.write.reset();  // or the read never sees the end
    Captured result{read_to_end(pipe.read.get()), {}};
    result.status = child.wait();
    return result;
}

std::string bracketed(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& word : words) out += "[" + word + "]\n";
    return out;
}

std::string without_first_line(const std::string& text) {
    return text.substr(text.find('\n') + 1);
}

}  // namespace

TEST_CASE("words reach the program unchanged through CommandLineToArgvW") {
    const std::vector<std::string> words = {
        "plain",
        "with space",
        "",
        "quote\"inside",
        "\"quoted\"",
        "back\\slash",
        "trailing\\",
        "two\\\\",
        "\\\"before quote",
        "a\\\\\"b c",
        "tab\there",
        "sp ace\\",
        "caf\xC3\xA9 \xE2\x98\x83",  // café ☃: UTF-8 in, UTF-8 out
        "-flag=\"x y\"",
    };
    const auto r = capture({.program = kEchoArgs, .args = words});
    CHECK(r.status.success());
    CHECK(without_first_line(r.out) == bracketed(words));
}

TEST_CASE("a program path with spaces and argv0 are quoted as the program word") {
    const auto r = capture({.program = kEchoArgs, .args = {"x"}, .argv0 = "name with space"});
    CHECK(r.out.starts_with("line: \"name with space\" x\n"));
    CHECK(without_first_line(r.out) == "[x]\n");
}

TEST_CASE("raw arguments reach the program as written, quotes included") {
    const auto r = capture({.program = kEchoArgs,
                            .args = {"ignored"},
                            .argv0 = "find",
                            .raw_arguments = "\"LISTENING\"  /x"});
    CHECK(r.out.starts_with("line: find \"LISTENING\"  /x\n"));
    CHECK(without_first_line(r.out) == "[LISTENING]\n[/x]\n");
}

TEST_CASE("exit codes, environment and working directory") {
    CHECK(capture({.program = kHelper, .args = {"exit", "3"}}).status.code == 3);

    const auto env = capture({.program = kHelper,
                              .args = {"env", "FORKLINE_TEST_VAR"},
                              .extra_env = {"FORKLINE_TEST_VAR=v 1"}});
    CHECK(env.status.success());
    CHECK(env.out == "v 1\r\n");

    const auto none = capture({.program = kHelper,
                               .args = {"env", "PATH"},
                               .environment = std::vector<std::string>{"ONLY=1"}});
    CHECK(none.status.code == 1);  // the given environment replaces ours

    const auto directory = std::filesystem::temp_directory_path() / "forkline spawn cwd";
    std::filesystem::create_directories(directory);
    const auto cwd = capture({.program = kHelper, .args = {"cwd"}, .working_directory = directory});
    CHECK(cwd.out.ends_with("\\forkline spawn cwd\r\n"));
    std::filesystem::remove(directory);
}

TEST_CASE("a program that is not there is 127, one that is not an executable 126") {
    try {
        spawn({.program = beside_this_test("no-such-program.exe")});
        FAIL("spawned");
    } catch (const ExecError& e) {
        CHECK(forkline::exec_failure_status(e) == 127);
        CHECK(std::string(e.what()).starts_with("failed to execute "));
    }
    const auto text = std::filesystem::temp_directory_path() / "forkline-not-a-program.exe";
    std::ofstream(text) << "just text\n";
    try {
        spawn({.program = text});
        FAIL("spawned");
    } catch (const ExecError& e) {
        CHECK(forkline::exec_failure_status(e) == 126);
    }
    std::filesystem::remove(text);
}

TEST_CASE("kill() ends the child and the child it started; the status says killed") {
    auto pipe = make_pipe();
    Child child = spawn({.program = kHelper,
                         .args = {"sleep-tree", "60"},
                         .inherit = {{0, nullptr}, {1, pipe.write.get()}, {2, nullptr}}});
    pipe.write.reset();
    std::string line;
    char c = 0;
    DWORD got = 0;
    while (::ReadFile(pipe.read.get(), &c, 1, &got, nullptr) && got == 1 && c != '\n') line += c;
    REQUIRE(!line.empty());
    const std::string grandchild = line.substr(0, line.find('\r'));
    CHECK(capture({.program = kHelper, .args = {"alive", grandchild}}).status.code == 0);

    child.kill();
    const auto status = child.wait();
    CHECK(status.signal == forkline::kKilledSignal);
    CHECK(status.describe() == "killed by SIGKILL");
    // The grandchild was in the job too: gone once the job is terminated (bounded wait).
    HANDLE process = ::OpenProcess(SYNCHRONIZE, FALSE, std::stoul(grandchild));
    if (process != nullptr) {
        CHECK(::WaitForSingleObject(process, 10000) == WAIT_OBJECT_0);
        ::CloseHandle(process);
    }
    CHECK(capture({.program = kHelper, .args = {"alive", grandchild}}).status.code == 1);
}

TEST_CASE("destroying a running child ends its tree") {
    DWORD pid = 0;
    {
        Child child = spawn({.program = kHelper, .args = {"sleep", "60"}});
        pid = child.pid();
    }
    CHECK(capture({.program = kHelper, .args = {"alive", std::to_string(pid)}}).status.code == 1);
}

TEST_CASE("handles not listed are not inherited, even inheritable ones") {
    // An inheritable pipe end that is not listed: if the child inherited it, our read
    // would wait for the child instead of seeing the end at once.
    SECURITY_ATTRIBUTES inheritable{sizeof inheritable, nullptr, TRUE};
    HANDLE read = nullptr;
    HANDLE write = nullptr;
    REQUIRE(::CreatePipe(&read, &write, &inheritable, 0));
    UniqueHandle read_end(read);
    UniqueHandle write_end(write);
    Child child = spawn({.program = kHelper, .args = {"sleep", "60"}});
    write_end.reset();
    char c = 0;
    DWORD got = 0;
    CHECK_FALSE(::ReadFile(read_end.get(), &c, 1, &got, nullptr));
    CHECK(::GetLastError() == ERROR_BROKEN_PIPE);
    child.kill();
    CHECK(child.wait().signal == forkline::kKilledSignal);
}
