// A program of someone else's using forkline through meson.
#include <cstdio>
#include <forkline/forkline.hpp>

int main() {
    const auto r =
        forkline::run_pipeline("echo 'hello from a forkline pipeline'", {.capture_stdout = true});
    std::printf("consumer: %s", r.stdout_data.c_str());
    return r.exit_code;
}
