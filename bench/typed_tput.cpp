// typed_tput MODE NJOBS NPROCS: round-trip throughput of tiny jobs (a 12-character text;
// the answer is its length) through NPROCS in-process workers, sent as raw bytes or through
// the codecs (scripts/bench/typed compares them). MODE:
//   raw    submit(span of bytes), a JobHandler on bytes, the answer memcpy'd back
//   codec  submit(std::string), typed_handler<std::string, std::uint64_t>, as<std::uint64_t>()
//   json   a {text, n} struct with to_json/from_json through json_codec.hpp (for scale)
#include <cstdio>
#include <cstring>
#include <forkline/forkline.hpp>
#include <forkline/json_codec.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "option_numbers.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace {

struct Tiny {
    std::string text;
    std::uint32_t n;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Tiny, text, n)

const std::string kText = "tiny job 123";

forkline::JobHandler handler_for(const std::string& mode) {
    if (mode == "raw") {
        return [](std::span<const std::byte> job, std::span<std::byte> out) {
            const std::uint64_t length = job.size();
            std::memcpy(out.data(), &length, sizeof length);
            return sizeof length;
        };
    }
    if (mode == "codec") {
        return forkline::typed_handler<std::string, std::uint64_t>(
            [](const std::string& text) { return std::uint64_t{text.size()}; });
    }
    if (mode == "json") {
        return forkline::typed_handler<Tiny, std::uint64_t>(
            [](const Tiny& job) { return std::uint64_t{job.text.size() + job.n}; });
    }
    throw std::invalid_argument("MODE is raw, codec or json");
}

// Jobs through a pool of `procs` workers in `mode`: the exit status says whether every
// answer was right.
int run(const std::string& mode, std::uint64_t jobs, unsigned procs) {
    std::uint64_t wrong = 0;
    const std::uint64_t expected = mode == "json" ? kText.size() + 7 : kText.size();
    forkline::Pool pool({.worker_function = handler_for(mode),
                         .workers = procs,
                         .queue_slots = 65536,
                         .max_job_size = 64,
                         .max_result_size = 64},
                        [&](const forkline::JobResult& r) {
                            const bool right = r.status == forkline::JobStatus::ok &&
                                               r.as<std::uint64_t>() == expected;
                            wrong += right ? 0 : 1;
                        });
    const auto raw = std::as_bytes(std::span(kText));
    const Tiny tiny{kText, 7};
    for (std::uint64_t n = 0; n < jobs; ++n) {
        if (mode == "raw") {
            pool.submit(raw);
        } else if (mode == "codec") {
            pool.submit(kText);
        } else {
            pool.submit(tiny);
        }
    }
    const auto summary = pool.wait();
    const double seconds = std::chrono::duration<double>(summary.wall).count();
    std::printf("%.0f jobs/s (%s, %llu jobs, %u procs, %.3fs; wrong %llu)\n",
                static_cast<double>(jobs) / seconds, mode.c_str(),
                static_cast<unsigned long long>(jobs), procs, seconds,
                static_cast<unsigned long long>(wrong));
    return wrong == 0 && summary.succeeded == jobs ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    return cli::run_tool({"typed_tput"}, [&] {
        const std::vector<std::string> args(argv + 1, argv + argc);
        if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
            std::puts(
                "usage: typed_tput raw|codec|json NJOBS NPROCS\nprints jobs/s for NJOBS "
                "tiny jobs through NPROCS in-process workers, as bytes or through "
                "forkline's codecs");
            return 0;
        }
        if (args.size() != 3) throw cli::UsageError("expected MODE NJOBS NPROCS");
        if (args[0] != "raw" && args[0] != "codec" && args[0] != "json")
            throw cli::UsageError("MODE is raw, codec or json");
        return run(args[0], cli::parse_count_as<std::uint64_t>("NJOBS", args[1], 1, 1ull << 40),
                   cli::parse_count_as<unsigned>("NPROCS", args[2], 1, cli::kMaxWorkers));
    });
}
