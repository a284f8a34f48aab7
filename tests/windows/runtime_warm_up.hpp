// Handles the runtime keeps from a first use on (winpthreads' and wine's, for threads and
// pipes) are not leaks of the code under test: a test file that starts pipelines includes
// this, and one small pipeline like its tests' runs before any test case, so the leak check
// (tests/main.cpp) compares like with like.
#pragma once

#include <forkline/pipeline.hpp>
#include <string>

namespace test_support {

inline bool warm_up_runtime(const std::string& cat_program) {
    forkline::Stage cat{{cat_program, "cat"}};
    forkline::run_pipeline(std::vector{cat, cat},
                           {.input = "x\n", .capture_stdout = true, .capture_stderr = true});
    return true;
}

}  // namespace test_support
