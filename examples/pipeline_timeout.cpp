// A pipeline with a timeout: the first stage would run for ten seconds; after half a
// second its process group gets SIGTERM, and the output read so far is kept.
#include <cstdio>
#include <forkline/forkline.hpp>

int main() {
    try {
        const forkline::PipelineResult r =
            forkline::run_pipeline("sh -c 'echo tick; sleep 10; echo never' | cat",
                                   {.stdin_null = true,
                                    .capture_stdout = true,
                                    .timeout = std::chrono::milliseconds(500)});
        std::printf("timed out: %s, exit code %d, output so far: %s", r.timed_out ? "yes" : "no",
                    r.exit_code, r.stdout_data.c_str());
        for (const auto& stage : r.stages) {
            std::printf("  %s: pid %d, %s\n", stage.argv.front().c_str(), stage.pid,
                        stage.signal != 0 ? "killed by a signal" : "exited");
        }
        return r.timed_out && r.stdout_data == "tick\n" ? 0 : 1;
    } catch (const forkline::Error& e) {  // a syntax error, a fork failure
        std::fprintf(stderr, "pipeline_timeout: %s\n", e.what());
        return 1;
    }
}
