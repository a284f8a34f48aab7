// The job and result types shared by typed_jobs.cpp and word_stats_worker.cpp.
#pragma once

#include <cstdint>
#include <forkline/json_codec.hpp>  // Document travels as JSON: it holds strings
#include <string>

struct Document {
    std::string title;
    std::string text;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Document, title, text)

struct WordStats {  // a plain aggregate: sent as its 24 bytes
    std::uint64_t words;
    std::uint64_t lines;
    std::uint32_t worker;  // forkline::worker_index() of the worker that counted
};
