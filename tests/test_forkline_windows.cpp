// forkline.exe on Windows (under wine in CI): `ports` lists a socket the test opened, `files`
// counts tests/data/files_tree as the Linux build does, through files_worker processes too,
// and the subcommands the Windows build has not answer in one line with a non-zero exit.
#include <winsock2.h>
// winsock2.h before windows.h.
#include <windows.h>

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "loopback_socket_windows.hpp"
#include "run_command.hpp"

using test_support::run_command;

namespace {

const std::string kDataDir = TEST_DATA_DIR;

nlohmann::json run_json(const std::vector<std::string>& args) {
    const auto result = run_command(args, {}, std::chrono::seconds(120));
    INFO(result.err);
    REQUIRE(result.code == 0);
    return nlohmann::json::parse(result.out);
}

}  // namespace

TEST_CASE("forkline ports --json lists the test's own listening socket") {
    const test_support::Winsock winsock;
    const test_support::LoopbackSocket tcp(AF_INET, SOCK_STREAM);
    const auto port = std::to_string(tcp.port);
    const auto report = run_json(
        {FORKLINE_PATH, "ports", "--json", "--tcp", "--start-port", port, "--end-port", port});
    const auto& listeners = report.at("listeners");
    REQUIRE(listeners.size() == 1);
    CHECK(listeners[0].at("address") == "127.0.0.1");
    CHECK(listeners[0].at("port") == tcp.port);
    CHECK(listeners[0].at("protocol") == "tcp");
    const auto& processes = listeners[0].at("processes");
    if (processes.empty() && test_support::under_wine()) {
        MESSAGE("owner not checked under wine: its iphlpapi gives pid 0 for every socket");
        return;
    }
    REQUIRE(processes.size() == 1);
    CHECK(processes[0].at("pid") == ::GetCurrentProcessId());
    CHECK(processes[0].at("name") == "test_forkline_windows.exe");
}

TEST_CASE("forkline files --json counts the tree as files_tree.json says, in every mode") {
    std::ifstream expected_file(kDataDir + "/files_tree.json", std::ios::binary);
    REQUIRE(expected_file);
    const auto expected = nlohmann::json::parse(expected_file);
    for (const char* mode : {"seq", "threads", "procs"}) {
        CAPTURE(mode);
        auto report = run_json({FORKLINE_PATH, "files", "--json", "--no-progress", "--mode", mode,
                                "-j", "2", "--chunk-size", "4K", kDataDir + "/files_tree"});
        for (auto& file : report.at("files"))
            file["path"] = file.at("path").get<std::string>().substr(kDataDir.size() + 1);
        CHECK(report == expected);
    }
}

TEST_CASE("top and worker: one line, a non-zero exit") {
    for (const char* subcommand : {"top", "worker"}) {
        CAPTURE(subcommand);
        const auto result = run_command({FORKLINE_PATH, subcommand, "echo"});
        CHECK(result.code == 1);
        CHECK(result.out.empty());
        const auto prefix =
            std::string("forkline ") + subcommand + ": error: not available on Windows";
        CHECK(result.err.starts_with(prefix));
        CHECK(result.err.find('\n') == result.err.size() - 1);
    }
}
