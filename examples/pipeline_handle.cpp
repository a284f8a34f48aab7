// A pipeline as a handle: start it, wait on its descriptor in your own poll() loop, show
// its output as it comes, stop it when you have seen enough. The command needs a shell
// (a loop, $i), so it runs with the shell option.
#include <poll.h>

#include <cstdio>
#include <forkline/forkline.hpp>
#include <string>

int main() {
    try {
        forkline::Pipeline pipeline = forkline::start_pipeline(
            "i=0; while :; do i=$((i + 1)); echo line $i; sleep 0.01; done",
            {.stdin_null = true, .capture_stdout = true, .shell = true});
        std::string seen;
        while (seen.find("line 3\n") == std::string::npos) {
            pollfd entry{pipeline.fd(), POLLIN, 0};  // beside your other descriptors
            if (::poll(&entry, 1, 10'000) != 1) return 1;
            const std::string chunk = pipeline.read_stdout();  // what came since the last read
            std::fputs(chunk.c_str(), stdout);
            seen += chunk;
        }
        pipeline.kill(SIGTERM);  // SIGKILL `grace` later if it does not stop
        const forkline::PipelineResult r = pipeline.wait();
        std::printf("stopped by signal %d after %zu more bytes\n", r.stages.at(0).signal,
                    r.stdout_data.size());
        return r.stages.at(0).signal == SIGTERM ? 0 : 1;
    } catch (const forkline::Error& e) {
        std::fprintf(stderr, "pipeline_handle: %s\n", e.what());
        return 1;
    }
}
