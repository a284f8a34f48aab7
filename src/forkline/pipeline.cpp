// The pipeline handle (include/forkline/pipeline.hpp): start_pipeline(), run_pipeline() and
// Pipeline's calls, over the platform's PipelineRun (pipeline_run.hpp). Platform-free.
#include <forkline/pipeline.hpp>
#include <utility>

#include "pipeline_run.hpp"

namespace forkline {

using Clock = std::chrono::steady_clock;

void validate_pipeline(const std::vector<Stage>& stages, const PipelineOptions& options) {
    if (stages.empty()) throw Error("pipeline has no stages");
    for (const auto& stage : stages) {
        if (stage.argv.empty() || stage.argv.front().empty())
            throw Error("pipeline stage without a command");
        for (const auto& assignment : stage.assignments) {
            if (assignment.find('=') == std::string::npos || assignment.front() == '=')
                throw Error("pipeline: assignment '" + assignment + "' is not NAME=value");
        }
    }
    if (options.input && options.stdin_null) throw Error("pipeline: input and stdin_null both set");
    if (options.timeout && options.timeout->count() < 0) throw Error("pipeline: negative timeout");
    if (options.grace.count() < 0) throw Error("pipeline: negative grace");
    std::error_code error;
    if (!options.working_directory.empty() &&
        !std::filesystem::is_directory(options.working_directory, error)) {
        throw Error("pipeline: working directory '" + options.working_directory.string() +
                    "' is not a directory");
    }
}

int pipeline_exit_code(const PipelineResult& result, bool pipefail) {
    if (result.timed_out) return 124;
    if (!pipefail) return result.stages.back().shell_code();
    int code = 0;
    for (const auto& stage : result.stages) {
        if (stage.shell_code() != 0) code = stage.shell_code();
    }
    return code;
}

int StageResult::shell_code() const {
    if (!error.empty()) return error_status;
    return signal != 0 ? 128 + signal : exit_code;
}

struct Pipeline::Impl {
    Impl(const std::vector<Stage>& stages, const PipelineOptions& options)
        : run(stages, options, result) {}
    bool step(std::chrono::milliseconds timeout) {
        if (!finished && run.step(timeout)) finished = true;
        return finished;
    }

    PipelineResult result;  // filled by `run`, declared before it
    PipelineRun run;
    bool finished = false;
    bool result_taken = false;
};

Pipeline::Pipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pipeline::~Pipeline() = default;
Pipeline::Pipeline(Pipeline&&) noexcept = default;
Pipeline& Pipeline::operator=(Pipeline&&) noexcept = default;

int Pipeline::fd() const {
    return impl_->run.fd();
}

pid_t Pipeline::process_group() const {
    return impl_->run.process_group();
}

bool Pipeline::finished() const {
    return impl_->finished;
}

bool Pipeline::poll() {
    return impl_->step(std::chrono::milliseconds(0));
}

bool Pipeline::wait(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        const auto left = deadline - Clock::now();
        if (left <= Clock::duration::zero()) return poll();
        // Rounded up: waking before the deadline would only spin.
        if (impl_->step(std::chrono::ceil<std::chrono::milliseconds>(left))) return true;
    }
}

PipelineResult Pipeline::wait() {
    if (impl_->result_taken) throw Error("pipeline: wait() already returned its result");
    while (!impl_->step(std::chrono::milliseconds(-1))) {
    }
    impl_->result_taken = true;
    return std::move(impl_->result);
}

void Pipeline::kill(int signal) {
    impl_->run.kill(signal);
}

std::string Pipeline::read_stdout() {
    poll();
    return std::exchange(impl_->result.stdout_data, {});
}

std::string Pipeline::read_stderr() {
    poll();
    return std::exchange(impl_->result.stderr_data, {});
}

Pipeline Pipeline::start(const std::vector<Stage>& stages, const PipelineOptions& options) {
    validate_pipeline(stages, options);
    return Pipeline(std::make_unique<Impl>(stages, options));
}

Pipeline start_pipeline(std::string_view command, const PipelineOptions& options) {
    return Pipeline::start(
        options.shell ? std::vector{shell_stage(command)} : parse_pipeline(command), options);
}

Pipeline start_pipeline(const std::vector<Stage>& stages, const PipelineOptions& options) {
    if (options.shell) throw Error("pipeline: the shell option needs a command string, not stages");
    return Pipeline::start(stages, options);
}

PipelineResult run_pipeline(std::string_view command, const PipelineOptions& options) {
    return start_pipeline(command, options).wait();
}

PipelineResult run_pipeline(const std::vector<Stage>& stages, const PipelineOptions& options) {
    return start_pipeline(stages, options).wait();
}

}  // namespace forkline
