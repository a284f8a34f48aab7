// runpipe.exe on Windows (under wine in CI), run through run_pipeline itself: --json with
// per-stage statuses, --timeout ending a whole tree with the output kept, --input, 127, the
// netstat | find "LISTENING" command line. Wine's netstat lists no LISTENING rows and its
// findstr is a stub (windows.md): what those print is not checked, only how they ran.
#include <doctest/doctest.h>
#include <windows.h>

#include <filesystem>
#include <forkline/pipeline.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "windows/beside_this_test.hpp"
#include "windows/runtime_warm_up.hpp"

using forkline::run_pipeline;
using forkline::Stage;
using namespace std::chrono_literals;
using test_support::beside_this_test;
using test_support::single_quoted;

namespace {

const std::string kRunpipe = beside_this_test("../runpipe.exe");
const std::string kHelper = beside_this_test("test_helper.exe");
const bool kRuntimeWarmedUp = test_support::warm_up_runtime(kHelper);

forkline::PipelineResult runpipe(std::vector<std::string> args) {
    Stage stage{{kRunpipe}};
    stage.argv.insert(stage.argv.end(), args.begin(), args.end());
    return run_pipeline(
        std::vector{stage},
        {.stdin_null = true, .capture_stdout = true, .capture_stderr = true, .timeout = 120s});
}

}  // namespace

TEST_CASE("--json: per-stage argv, pid, status, and the captured output") {
    const auto r = runpipe({"--json", single_quoted(kHelper) + " gen 12 | find \"line 1\""});
    CHECK(r.exit_code == 0);
    const auto json = nlohmann::json::parse(r.stdout_data);
    CHECK(json["exit_code"] == 0);
    CHECK(json["timed_out"] == false);
    REQUIRE(json["stages"].size() == 2);
    CHECK(json["stages"][1]["argv"] == nlohmann::json{"find", "line 1"});
    CHECK(json["stages"][0]["pid"].get<long>() > 0);
    CHECK(json["stages"][1]["status"] == 0);
    std::string out = json["stdout"];
    std::erase(out, '\r');  // find writes CRLF line ends
    CHECK(out.find("line 1\n") != std::string::npos);
    CHECK(out.find("line 10\n") != std::string::npos);
    CHECK(out.find("line 2") == std::string::npos);
}

TEST_CASE("--input is fed to the first stage") {
    const auto r =
        runpipe({"--input", "alpha\nbeta\n", single_quoted(kHelper) + " cat | find \"beta\""});
    CHECK(r.exit_code == 0);
    CHECK(r.stdout_data.find("beta") != std::string::npos);
    CHECK(r.stdout_data.find("alpha") == std::string::npos);
}

TEST_CASE("--timeout: exit 124, the tree ended, the output so far kept") {
    const auto r = runpipe(
        {"--json", "--timeout", "2", "--grace", "0", single_quoted(kHelper) + " sleep-tree 60"});
    CHECK(r.exit_code == 124);
    const auto json = nlohmann::json::parse(r.stdout_data);
    CHECK(json["timed_out"] == true);
    CHECK(json["stages"][0]["signal"] == "SIGKILL");
    const std::string grandchild = json["stdout"];
    REQUIRE(!grandchild.empty());
    HANDLE process = ::OpenProcess(SYNCHRONIZE, FALSE, std::stoul(grandchild));
    if (process != nullptr) {  // still being torn down: bounded wait for its end
        CHECK(::WaitForSingleObject(process, 10000) == WAIT_OBJECT_0);
        ::CloseHandle(process);
    }
}

TEST_CASE("a command that is not found: 127 and one line saying so") {
    const auto r = runpipe({"no-such-program-here"});
    CHECK(r.exit_code == 127);
    CHECK(r.stderr_data == "runpipe: 'no-such-program-here': command not found\n");
}

TEST_CASE("netstat -ano | find \"LISTENING\" and | findstr LISTENING: both stages run") {
    for (const char* command :
         {"netstat -ano | find \"LISTENING\"", "netstat -ano | findstr LISTENING"}) {
        INFO(command);
        const auto r = runpipe({"--json", command});
        const auto json = nlohmann::json::parse(r.stdout_data);
        REQUIRE(json["stages"].size() == 2);
        for (const auto& stage : json["stages"]) {
            CHECK(stage["pid"].get<long>() > 0);
            CHECK_FALSE(stage.contains("error"));
        }
        CHECK(json["stages"][0]["status"] == 0);
        // find: 0 (found) or 1 (none, as under wine); 2 would be a refused argument.
        const int last = json["stages"][1]["status"];
        CHECK((last == 0 || last == 1));
    }
}

TEST_CASE("CTRL_C forwarded to the pipeline") {
    // GenerateConsoleCtrlEvent needs a console shared with the stages, which meson's test
    // runner under wine does not give: not testable here (windows.md risk 1).
    MESSAGE("skipped under wine: no shared console for CTRL_C (to check on real Windows)");
}
