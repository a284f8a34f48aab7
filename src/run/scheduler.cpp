#include "scheduler.hpp"

#include <unistd.h>  // STDERR_FILENO (mingw has it too)

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <deque>
#include <exception>
#include <forkline/forkline.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "command_job.hpp"
#include "durable_file.hpp"
#include "halt_policy.hpp"
#include "interrupt_handlers.hpp"
#include "job_report.hpp"
#include "live_output.hpp"
#include "local_run_pool.hpp"
#include "median_runtime.hpp"
#include "os_error.hpp"
#include "output.hpp"
#include "output_directory.hpp"
#include "output_tag.hpp"
#include "pool_or_input_wait.hpp"
#include "redis_run_pool.hpp"
#include "results_directory.hpp"
#include "resume.hpp"
#include "sigpipe_blocked.hpp"
#include "start_pacer.hpp"
#include "unique_fd.hpp"
#include "utf8_path.hpp"

namespace run {

namespace {

using Clock = std::chrono::steady_clock;

// Jobs in flight at most ({%} is 1 to it): -j on this host; with --redis, on the hosts.
unsigned jobs_at_once(const RunOptions& options) {
    if (!options.redis_url.empty()) return kRemoteWindow;
    return options.jobs != 0 ? options.jobs : forkline::available_cores();
}

// The same loop for both pools (run_pool.hpp): command workers on this host, or on worker
// hosts through Redis (--redis, and -j of them here).
class Scheduler {
  public:
    Scheduler(JobStream& jobs, const RunOptions& options)
        : jobs_(jobs),
          options_(options),
          workers_(jobs_at_once(options)),
          live_(live_output(options)),
          resume_(options),
          report_(options),
          pacer_(options),
          halt_(options.halt) {
        for (unsigned slot = 1; slot <= workers_; ++slot) free_slots_.insert(slot);
        if (options.results) {
            results_.emplace(*options.results, options.resume != RunOptions::Resume::none);
            // A job the joblog has done has its kept output on disk (--resume replays it).
            report_.before_joblog_sync([this] { results_->sync(); });
        }
        if (options.tag) tag_.emplace(*options.tag, TemplateSettings{});
    }

    int run() {
        const InterruptHandlers handlers;
        // Output into a closed pipe (| head -1) fails with EPIPE instead of killing this
        // process: the jobs are cancelled and the directory removed first (see guarded()).
        const forkline::SigpipeBlocked sigpipe_blocked;
        interrupts_received = 0;
        terminate_received = 0;
        const auto pool = make_pool(
            [this](const forkline::JobResult& result) { guarded([&] { on_result(result); }); });
        pool_ = pool.get();
        remote_ = pool->remote();
        while (true) {
            handle_signals();
            if (stopping_) report_abandoned_retries();
            if (stopping_ && remote_) guarded([&] { remote_->stop_new_starts(); });
            withdraw_waiting();
            // A cancel that reached a worker between two jobs is dropped by it: repeat it
            // while jobs run.
            if (cancelled_ && pool->in_flight() > 0 &&
                Clock::now() - last_cancel_ >= pool->cancel_repeat()) {
                pool->cancel_running();
                last_cancel_ = Clock::now();
            }
            kill_overdue_jobs();
            start_jobs();
            if (const auto total = jobs_.total()) {
                report_.input_ended(*total);
                pool->set_total_jobs(*total);
            }
            if (pool->in_flight() == 0 && (stopping_ || nothing_left())) break;
            wait_for_work();
            guarded([&] { report_.update_progress(pool->in_flight(), false, paused()); });
        }
        pool->wait();  // with --redis, the run's keys are removed too
        pool_ = nullptr;
        remote_ = nullptr;
        guarded([&] {
            report_.update_progress(0, true);  // the final count, then cleared by close()
            report_.close();
        });
        if (error_) std::rethrow_exception(error_);  // the directory goes on the way out
        if (!nothing_left() || dropped_ != 0) report_not_run();
        if (terminate_received) return 128 + SIGTERM;
        if (interrupts_received > 0) return 128 + SIGINT;
        return halt_.exit_status(report_.failed(), report_.done());
    }

  private:
    // --line-buffer, --ungroup (else none). First: where it is refused (Windows), no
    // joblog has been opened yet.
    std::unique_ptr<LiveOutput> live_output(const RunOptions& options) {
        if (options.output == RunOptions::Output::grouped) return nullptr;
        return make_live_output(options.output, workers_, directory_.path(),
                                [this] { report_.clear_progress(); });
    }

    std::unique_ptr<RunPool> make_pool(RunPool::ResultCallback on_result) {
        if (options_.redis_url.empty())
            return make_local_run_pool(workers_, directory_.path(), std::move(on_result));
        return make_redis_run_pool(
            options_, directory_.path(), std::move(on_result), [this](const std::string& warning) {
                guarded([&] {
                    report_.clear_progress();
                    cli::write_all(STDERR_FILENO, "forkline run: warning: " + warning + "\n",
                                   "standard error");
                });
            });
    }

    // The longest wait without a look at the signals' flags and --grace (a signal also
    // ends a wait at once).
    static constexpr std::chrono::milliseconds kLongestWait{100};
    static constexpr std::chrono::milliseconds kNoWait{0};

    struct Running {
        JobSpec spec;
        unsigned attempt = 1;  // 1 + retries so far
        unsigned runs = 0;     // runs of the earlier attempts (a worker death re-runs one)
        std::optional<FinishedJob> failed;  // the last failed attempt, while a retry waits
        unsigned slot = 0;                  // {%}: 1 to -j, while it runs
        std::string tag{};                  // --tag, --tagstring: before each output line
    };

    bool nothing_left() const { return jobs_.ended() && retry_.empty() && !blocked_; }

    // Waits until a result may be delivered, the input may have a job, a running job's live
    // output came, or the pace allows a start: one wait on the pool, the input and the
    // FIFOs of live output (a signal ends it early: EINTR).
    void wait_for_work() {
        // Results, or a request of `forkline top` (a resume): go on.
        if (pool_->poll(kNoWait) > 0) return;
        const auto pace = pacer_.wait();
        const bool awaiting_input = !stopping_ && !paused() && !blocked_ && retry_.empty() &&
                                    !jobs_.ended() && pool_->in_flight() < workers_ &&
                                    pace == Clock::duration{} && !report_.holding_full();
        const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
            pace == Clock::duration{}
                ? kLongestWait
                : std::clamp<Clock::duration>(pace, std::chrono::milliseconds(1), kLongestWait));
        const int input_fd = awaiting_input ? jobs_.wait_fd() : -1;
        if (live_ && !live_->empty()) {
            guarded([&] { live_->pump(timeout, pool_->fd(), input_fd); });
            return;
        }
        wait_for_pool_or_input(pool_->fd(), input_fd, timeout);
    }

    // The run stopped early: how many jobs it did not run, counted as far as the input
    // already read allows (an endless input is not waited for).
    void report_not_run() {
        constexpr std::size_t kMaxCounted = 100000;
        std::size_t not_run = dropped_;
        while (not_run < kMaxCounted && jobs_.next()) ++not_run;
        const char* why = interrupts_received > 0 || terminate_received ? "interrupted" : "halted";
        if (const auto total = jobs_.total()) {
            if (not_run != 0)
                std::fprintf(stderr, "forkline run: %zu of %zu jobs not run (%s)\n", not_run,
                             *total, why);
        } else {
            const auto count = std::to_string(not_run) + (not_run == kMaxCounted ? "+" : "");
            std::fprintf(stderr, "forkline run: %s the rest of the input not read (%s)\n",
                         not_run == 0 ? "stopped:" : (count + " jobs not run,").c_str(), why);
        }
    }

    // Where the job's output goes: captured (nothing to say), FIFOs of live output
    // (copied into --results files as it comes), or straight into --results files.
    OutputPaths output_for(const JobSpec& spec, const std::string& tag) {
        const auto results = results_ ? results_->prepare(spec) : OutputPaths{};
        return live_ ? live_->start(spec.seq, tag, results) : results;
    }

    // Stopping: failed jobs waiting for another attempt will not get it; they are reported
    // as they last ended.
    void report_abandoned_retries() {
        for (auto& job : retry_) guarded([&] { record(std::move(*job.failed)); });
        retry_.clear();
    }

    void handle_signals() {
        if (interrupts_received > 0 && !first_interrupt_) first_interrupt_ = Clock::now();
        if (interrupts_received > 0 || terminate_received) stopping_ = true;  // no new starts
        const bool grace_over =
            first_interrupt_ && options_.grace_given &&
            Clock::now() - *first_interrupt_ >= std::chrono::duration<double>(options_.grace_s);
        if ((interrupts_received > 1 || terminate_received || grace_over) && !cancelled_)
            cancel_running();
    }

    // A cancel the workers did not carry out (on Windows a worker gets it as CTRL_BREAK,
    // which cannot reach it without a console shared with it; a stopped worker): the jobs
    // still running --grace and kKillMargin after it are ended through the pool, their
    // workers killed. On Linux a worker ends its job long before.
    static constexpr std::chrono::seconds kKillMargin{2};
    void kill_overdue_jobs() {
        if (!cancelled_ || overdue_killed_ ||
            Clock::now() - cancelled_at_ <
                std::chrono::duration<double>(options_.grace_s) + kKillMargin)
            return;
        overdue_killed_ = true;
        for (const auto& entry : running_) {
            if (!withdrawn_.contains(entry.first) && pool_->kill(entry.first))
                killed_.insert(entry.first);
        }
    }

    // Runs a step that reports (writes output, the joblog, the progress line). Should it
    // throw (the output cannot be written, a worker's answer is malformed), the run stops
    // as after a second SIGINT: running jobs are cancelled (their whole process groups),
    // nothing more is written, and run() rethrows the first error once every worker is
    // done.
    template <typename Step>
    void guarded(Step step) {
        try {
            step();
        } catch (const std::exception&) {
            if (!error_) error_ = std::current_exception();
            report_.stop_writing();
            if (live_) live_->stop_writing();
            stopping_ = true;
            if (!cancelled_ && pool_ != nullptr) cancel_running();
        }
    }

    bool paused() const { return pool_->paused(); }  // `forkline top --pause`

    // Stopping: the jobs the pool holds back (paused, or with Redis not taken by a host)
    // might never start. They are taken back and counted as not run (report_not_run()), as
    // a blocked job is.
    void withdraw_waiting() {
        if (!stopping_ || running_.empty()) return;
        std::vector<forkline::JobId> submitted;
        submitted.reserve(running_.size());
        for (const auto& entry : running_) submitted.push_back(entry.first);
        for (const auto id : pool_->withdraw_waiting(submitted)) withdrawn_.insert(id);
    }

    void cancel_running() {
        cancelled_ = true;
        stopping_ = true;
        pool_->cancel_running();  // each worker ends its command's whole group
        cancelled_at_ = last_cancel_ = Clock::now();
    }

    void start_jobs() {
        if (stopping_) drop_blocked();
        if (paused()) return;  // `forkline top --pause`: nothing starts until --resume
        if (!submit_blocked()) return;
        while (!stopping_ && pool_->in_flight() < workers_ && !free_slots_.empty() &&
               pacer_.wait() == Clock::duration{}) {
            Running job{};
            if (!retry_.empty()) {
                job = std::move(retry_.front());
                retry_.pop_front();
                job.failed.reset();
            } else if (report_.holding_full()) {
                break;  // --keep-order holds all it may: only retries (earlier jobs) start
            } else if (auto spec = jobs_.next()) {
                job.spec = std::move(*spec);
            } else {
                break;
            }
            job.slot = *free_slots_.begin();
            free_slots_.erase(free_slots_.begin());
            if (tag_) job.tag = job_tag(*tag_, job.spec, job.slot);
            switch (submit(job)) {
                case Submitted::yes:
                    pacer_.started();
                    break;
                case Submitted::cannot_run:
                    free_slots_.insert(job.slot);
                    break;
                case Submitted::queue_full:
                    return;  // blocked_ holds it
            }
        }
    }

    // The job that found the queue full (its slots free in order: one long job holds back
    // the reuse of those after it), submitted once a result freed one. False while the
    // queue is still full.
    bool submit_blocked() {
        if (!blocked_) return true;
        const auto id = pool_->try_submit(std::span<const std::byte>(blocked_->bytes));
        if (!id) return false;
        running_[*id] = std::move(blocked_->job);
        blocked_.reset();
        pacer_.started();
        return true;
    }

    // Stopping: the blocked job will not run (report_not_run() counts it).
    void drop_blocked() {
        if (!blocked_) return;
        if (live_) guarded([&] { live_->finish(blocked_->job.spec.seq); });
        free_slots_.insert(blocked_->job.slot);
        blocked_.reset();
        ++dropped_;
    }

    // A job the joblog has done: not run, reported in its turn (--keep-order) with the
    // output an earlier run kept in --results DIR, if any.
    void replay(const JobSpec& spec, const std::string& tag) {
        FinishedJob done;
        done.spec = spec;
        done.replayed = true;
        done.tag = tag;
        guarded([&] {
            if (const auto stored = results_ ? results_->read_finished(spec) : std::nullopt) {
                done.out_path = stored->stdout_path;
                done.err_path = stored->stderr_path;
                done.keep_files = true;
            }
            report_.finished(std::move(done));
        });
    }

    enum class Submitted {
        yes,
        cannot_run,  // reported as failed at once, or replayed from the joblog
        queue_full,  // kept in blocked_
    };

    Submitted submit(Running& job) {
        auto& spec = job.spec;
        std::string error = spec.error;
        if (error.empty()) {
            try {
                spec.command = command_text(spec, job.slot);
                if (!options_.shell) forkline::parse_pipeline(spec.command);
            } catch (const ExpandError& e) {
                error = error_prefix(spec) + e.what();
            } catch (const forkline::ParseError& e) {
                error = error_prefix(spec) + e.what();
            }
        }
        // Known only once expanded: the joblog's key is the command text and its input.
        if (error.empty() && job.attempt == 1 && resume_.skip(spec.seq, spec.command, spec.input)) {
            replay(spec, job.tag);
            return Submitted::cannot_run;
        }
        CommandJob command{.seq = spec.seq,
                           .shell = options_.shell,
                           .timeout_s = spec.timeout.value_or(run_timeout()),
                           .grace_s = options_.grace_s,
                           .command = spec.command,
                           .input = spec.input,
                           .shell_program = options_.shell_program};
        if (remote_) {  // the output comes back from the host; --results files are written here
            command.output_key = remote_->output_key();
            command.max_output = options_.max_output;
        }
        if (error.empty()) {
            try {
                const auto paths = output_for(spec, job.tag);
                if (!remote_) {
                    command.stdout_path = forkline::utf8_string(paths.out);
                    command.stderr_path = forkline::utf8_string(paths.err);
                }
            } catch (const forkline::Error& e) {  // a FIFO or --results file cannot be made
                error = error_prefix(spec) + e.what();
            }
        }
        const auto bytes = error.empty() ? encode(command) : std::vector<std::byte>{};
        if (error.empty() && bytes.size() > kMaxJobBytes)
            error = "job " + std::to_string(spec.seq) + ": command and input exceed 1 MiB";
        if (!error.empty()) {
            if (live_) live_->finish(spec.seq);
            FinishedJob finished;
            finished.spec = spec;
            finished.exit_code = 2;
            finished.error = error;
            report_finished(std::move(finished));
            return Submitted::cannot_run;
        }
        const auto id = pool_->try_submit(std::span<const std::byte>(bytes));
        if (!id) {
            blocked_.emplace(Blocked{std::move(job), bytes});
            return Submitted::queue_full;
        }
        running_[*id] = std::move(job);
        return Submitted::yes;
    }

    void on_result(const forkline::JobResult& result) {
        const auto found = running_.find(result.id);
        if (found == running_.end()) throw forkline::Error("a result for a job never submitted");
        auto job = std::move(found->second);
        running_.erase(found);
        free_slots_.insert(job.slot);
        const auto& spec = job.spec;
        // Its output first, then its report.
        const auto live_bytes = live_ ? live_->finish(spec.seq) : 0;
        const bool killed = killed_.erase(result.id) != 0;  // unless it ended first
        if (withdrawn_.erase(result.id) != 0) {
            ++dropped_;
            return;
        }
        FinishedJob finished;
        finished.spec = spec;
        finished.tag = job.tag;
        finished.attempts = job.runs + result.attempts;
        if (result.status == forkline::JobStatus::ok) {
            const auto view = read_result(result.data);
            const auto& outcome = view.outcome;
            if (outcome.not_started) {  // --redis: a host saw the stop flag first
                ++dropped_;
                return;
            }
            finished.host = view.host;
            finished.exit_code = outcome.exit_code;
            finished.signal = outcome.signal;
            finished.timed_out = outcome.timed_out != 0;
            finished.start_unix_s = static_cast<double>(outcome.start_unix_ns) / 1e9;
            finished.duration_s = static_cast<double>(outcome.duration_ns) / 1e9;
            finished.stdout_bytes = outcome.stdout_bytes + live_bytes;
            if (outcome.output_inline) {  // with --results or live: the worker's messages
                finished.stdout_data = view.stdout_data;
                finished.stderr_data = view.stderr_data;
            }
            if (remote_) receive_remote_output(view, finished);
            if (results_ && !live_) {  // in its --results files
                const auto folder = results_->job_folder(spec);
                finished.out_path = folder / "stdout";
                finished.err_path = folder / "stderr";
                finished.keep_files = true;
                std::error_code unknown;  // the joblog's Receive: 0 if it cannot be known
                finished.stdout_bytes = std::filesystem::file_size(finished.out_path, unknown);
                if (unknown) finished.stdout_bytes = 0;
            } else if (!outcome.output_inline) {
                const auto paths = output_paths(directory_.path(), spec.seq);
                finished.out_path = paths.out;
                finished.err_path = paths.err;
            }
        } else if (result.status == forkline::JobStatus::cancelled) {
            // By `forkline top --cancel`, or by kill_overdue_jobs(): then it is one of the
            // run's own cancelled jobs (finished.cancelled, below), or not run at all.
            if (killed && result.attempts == 0) {
                ++dropped_;
                return;
            }
            finished.exit_code = -1;
            finished.signal =
                result.attempts > 0 ? forkline::kill_signal : 0;  // killed, or never started
            finished.cancelled_on_request = !killed;
        } else {  // its workers died on every attempt, or the worker could not run it
            finished.exit_code = -1;
            finished.signal = forkline::kill_signal;
            finished.error = "job " + std::to_string(spec.seq) + ": " +
                             (result.status == forkline::JobStatus::worker_died
                                  ? std::string("its worker died on every attempt")
                                  : std::string(reinterpret_cast<const char*>(result.data.data()),
                                                result.data.size()));
        }
        finished.cancelled = cancelled_ && !finished.success();
        if (!finished.success() && job.attempt <= options_.retries && !stopping_ &&
            !finished.cancelled_on_request) {
            const auto runs = finished.attempts;
            retry_.push_back({std::move(job.spec), job.attempt + 1, runs, std::move(finished)});
            return;
        }
        if (finished.success()) runtimes_.add(finished.duration_s);
        report_finished(std::move(finished));
    }

    // --redis: the output a host sent in chunks lands where a local worker would have put
    // it (the --results files, else the run's private directory); with --results, an inline
    // output is written into its files too. Memory: one chunk at a time.
    void receive_remote_output(const ResultView& view, FinishedJob& finished) {
        const auto& outcome = view.outcome;
        if (!outcome.output_chunked && !results_) return;
        const auto paths = results_ ? OutputPaths{results_->job_folder(finished.spec) / "stdout",
                                                  results_->job_folder(finished.spec) / "stderr"}
                                    : output_paths(directory_.path(), finished.spec.seq);
        const auto create = [](const std::filesystem::path& path) {
            auto fd = open_for_writing(path, OpenFor::replacing);
            if (!fd.valid()) forkline::throw_os_error("cannot create " + path.string());
            return fd;
        };
        const auto out = create(paths.out);
        const auto err = create(paths.err);
        if (outcome.output_chunked) {
            remote_->receive_output(view.output_id, outcome.stdout_bytes, out.get(),
                                    outcome.stderr_bytes, err.get());
        } else {
            cli::write_all(out.get(), finished.stdout_data, paths.out.string());
            cli::write_all(err.get(), finished.stderr_data, paths.err.string());
            finished.stdout_data.clear();
            finished.stderr_data.clear();
        }
    }

    // A job's end in --results (if it ran) and in the report.
    void record(FinishedJob finished) {
        if (results_ && finished.attempts > 0) results_->finish(finished);
        report_.finished(std::move(finished));
    }

    // A job ended for good: reported, then --halt decides whether the run goes on.
    void report_finished(FinishedJob finished) {
        const int status = shell_status(finished);
        guarded([&] { record(std::move(finished)); });
        switch (halt_.finished(status, jobs_.total())) {
            case HaltPolicy::Action::go_on:
                break;
            case HaltPolicy::Action::stop_starting:
                stopping_ = true;
                break;
            case HaltPolicy::Action::cancel_running:
                stopping_ = true;
                if (!cancelled_) cancel_running();
                break;
        }
    }

    // A job's exit status as a shell reports it (128+N for signal N).
    static int shell_status(const FinishedJob& job) {
        if (job.success()) return 0;
        if (job.exit_code > 0) return job.exit_code;
        return job.signal != 0 ? 128 + job.signal : 1;
    }

    // The time limit of a job without one of its own: --timeout S, or N% of the median
    // runtime so far.
    double run_timeout() const {
        return options_.timeout_percent > 0 ? percent_timeout(runtimes_, options_.timeout_percent)
                                            : options_.timeout_s;
    }

    JobStream& jobs_;
    const RunOptions& options_;
    unsigned workers_;
    OutputDirectory directory_;
    std::unique_ptr<LiveOutput> live_;  // --line-buffer, --ungroup
    ResumeFilter resume_;  // reads (and repairs) the joblog before report_ appends to it
    JobReport report_;
    std::optional<ResultsDirectory> results_;  // --results
    std::optional<CommandTemplate> tag_;       // --tag, --tagstring
    StartPacer pacer_;
    HaltPolicy halt_;
    MedianRuntime runtimes_;       // of the jobs that succeeded, for --timeout N%
    RunPool* pool_ = nullptr;      // while run() runs
    RemoteRun* remote_ = nullptr;  // --redis, while run() runs
    std::deque<Running> retry_;    // failed jobs waiting for another attempt
    std::map<forkline::JobId, Running> running_;
    struct Blocked {
        Running job;
        std::vector<std::byte> bytes;
    };
    std::optional<Blocked> blocked_;  // ready to start, the queue full (submit_blocked())
    std::size_t dropped_ = 0;         // blocked jobs a stop left unrun
    std::set<unsigned> free_slots_;   // job slots ({%}) no running job holds, lowest first
    bool stopping_ = false;           // start nothing new
    bool cancelled_ = false;          // running jobs were told to stop
    std::exception_ptr error_;        // the first error: the run stops, run() rethrows it
    std::optional<Clock::time_point> first_interrupt_;
    Clock::time_point cancelled_at_;
    Clock::time_point last_cancel_;
    bool overdue_killed_ = false;  // kill_overdue_jobs() was done
    // Jobs a stop took back from the pool (withdraw_waiting()), or killed after a cancel
    // their workers did not carry out (kill_overdue_jobs()).
    std::set<forkline::JobId> withdrawn_;
    std::set<forkline::JobId> killed_;
};

}  // namespace

int run_jobs(JobStream& jobs, const RunOptions& options) {
    return Scheduler(jobs, options).run();
}

}  // namespace run
