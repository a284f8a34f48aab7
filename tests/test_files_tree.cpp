// forkline files counts alike on every build: the library over tests/data/files_tree (log
// levels, CRLF, multibyte and invalid UTF-8, non-breaking spaces, an empty and a binary
// file) gives exactly tests/data/files_tree.json, which the Linux build wrote
// (`forkline files --json --mode seq files_tree` in tests/data; test_files_cli checks that
// too). The Windows build runs this test under wine.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "discover.hpp"
#include "report.hpp"

namespace {

const std::string kDataDir = TEST_DATA_DIR;

nlohmann::json expected() {
    std::ifstream in(kDataDir + "/files_tree.json", std::ios::binary);
    REQUIRE(in);
    return nlohmann::json::parse(in);
}

// The report with its paths relative to tests/data, as files_tree.json has them.
nlohmann::json relative(nlohmann::json report) {
    for (auto& file : report.at("files")) {
        const auto path = file.at("path").get<std::string>();
        REQUIRE(path.starts_with(kDataDir + "/"));
        file["path"] = path.substr(kDataDir.size() + 1);
    }
    return report;
}

// Each chunk analyzed as a worker would, one after the other (runner.cpp's seq mode; the
// Linux suites check that threads and worker processes give what seq gives).
nlohmann::json count_tree(std::uint64_t chunk_size) {
    const auto entries = files::discover({kDataDir + "/files_tree"}, {});
    const auto chunks = files::plan_chunks(entries, chunk_size);
    std::vector<files::ChunkResult> results;
    for (const auto& chunk : chunks) {
        const auto& entry = entries[chunk.file];
        results.push_back(files::analyze_chunk(
            {entry.path, chunk.offset, chunk.length, entry.size, entry.reading}));
    }
    return relative(files::to_json(files::build_report(entries, chunks, results), 5));
}

}  // namespace

TEST_CASE("the tree counts as the Linux build counted it, whole or in small chunks") {
    const auto want = expected();
    REQUIRE(want.at("files").size() == 6);
    for (const std::uint64_t chunk_size : {32u << 20, 1000u, 7u}) {
        CAPTURE(chunk_size);
        CHECK(count_tree(chunk_size) == want);
    }
}

TEST_CASE("--pattern on the tree takes the matching names, in subdirectories too") {
    const auto entries = files::discover({kDataDir + "/files_tree"}, {"*.log", "[e]*"});
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].path == kDataDir + "/files_tree/app.log");
    CHECK(entries[1].path == kDataDir + "/files_tree/empty.txt");
    CHECK(entries[1].reading == files::Reading::to_eof);
    CHECK(entries[2].path == kDataDir + "/files_tree/sub/nested.log");
}
