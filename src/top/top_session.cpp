#include "top_session.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <forkline/error.hpp>
#include <map>
#include <string>

#include "json_view.hpp"
#include "os_error.hpp"
#include "output.hpp"
#include "pending_signal.hpp"
#include "pool_actions.hpp"
#include "pool_watcher.hpp"
#include "redis_runs.hpp"
#include "terminal_screen.hpp"
#include "text_view.hpp"
#include "unique_fd.hpp"

namespace top {

namespace {

using Clock = std::chrono::steady_clock;

// SIGINT, SIGTERM, SIGQUIT (Ctrl-\), SIGHUP, SIGTSTP (Ctrl-Z) and SIGWINCH blocked and read
// from a descriptor, beside the keys and the pools' ends, in one poll(): each leaves the
// terminal as it was, as top and htop do. They stay blocked to the end: a second SIGTERM
// while the screen is restored must not kill top half way.
class Signals {
  public:
    Signals() {
        sigset_t set;
        sigemptyset(&set);
        for (const int signal : {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGTSTP, SIGWINCH})
            sigaddset(&set, signal);
        forkline::check_os(::pthread_sigmask(SIG_BLOCK, &set, nullptr) == 0 ? 0 : -1,
                           "cannot block signals");
        fd_.reset(forkline::check_os(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK),
                                     "cannot create a signalfd"));
    }
    int fd() const { return fd_.get(); }
    // The signal waiting, or 0.
    int take() const {
        signalfd_siginfo info{};
        return ::read(fd_.get(), &info, sizeof info) == sizeof info
                   ? static_cast<int>(info.ssi_signo)
                   : 0;
    }

  private:
    forkline::UniqueFd fd_;
};

class Session {
  public:
    explicit Session(const TopOptions& options)
        : options_(options),
          terminal_(!options.json && ::isatty(STDOUT_FILENO) != 0),
          actions_(make_pool_actions()) {
        if (!options.redis_url.empty()) redis_.emplace(options.redis_url, options.queue);
    }

    int run();

  private:
    enum class Event { timeout, redraw, quit, pool_ended };

    void attach();
    void look();
    std::vector<TextLine> lines() const;
    void show(bool first);
    void draw_screen();
    Event wait(Clock::time_point until);
    void suspend();
    void act(Key key);
    int ended();

    TopOptions options_;
    bool terminal_;
    std::unique_ptr<PoolActions> actions_;
    Signals signals_;
    ProcessUsage processes_;
    std::map<std::string, PoolWatcher> watchers_;  // by segment name
    std::vector<Unreadable> unreadable_;           // pools found but not shown
    pid_t ended_pool_ = 0;
    std::optional<TerminalScreen> screen_;
    std::vector<PoolSnapshot> last_;
    std::optional<RedisRuns> redis_;  // --redis: the runs of a Redis server instead
    std::vector<RedisRun> runs_;
    SortOrder order_ = SortOrder::elapsed;
    std::size_t selected_ = 0;  // among the worker rows
    std::string message_;
};

// The pools to watch: those of options_.pid (fixed once attached), or every pool of this
// user, found again at each look.
void Session::attach() {
    if (redis_ || (options_.pid && !watchers_.empty())) return;
    std::vector<FoundPool> found;
    if (options_.pid) {
        found = find_pools_of(*options_.pid);
        if (found.empty())
            throw forkline::Error("process " + std::to_string(*options_.pid) +
                                  " runs no forkline pool");
    } else {
        found = find_pools();
    }
    std::map<std::string, PoolWatcher> watchers;
    unreadable_.clear();
    for (const auto& pool : found) {
        const auto known = watchers_.find(pool.segment);
        if (known != watchers_.end()) {
            watchers.emplace(pool.segment, std::move(known->second));
            continue;
        }
        try {
            watchers.emplace(pool.segment, PoolWatcher(AttachedPool::attach(pool)));
        } catch (const forkline::OsError&) {
            if (options_.pid) throw;  // the pool asked for: say why
            // Any other pool that ended between the scan and now is simply not shown.
        } catch (const forkline::Error& e) {
            if (options_.pid) throw;
            unreadable_.push_back({pool.supervisor, e.what()});  // another forkline's
        }
    }
    watchers_ = std::move(watchers);
}

void Session::look() {
    if (redis_) {
        runs_ = redis_->look();
        return;
    }
    processes_.refresh();
    std::vector<PoolSnapshot> pools;
    for (auto it = watchers_.begin(); it != watchers_.end();) {
        auto snapshot = it->second.look(processes_);
        if (it->second.pool().ended()) {  // checked after the look: what it saw may be stale
            ended_pool_ = it->second.pool().supervisor();
            it = watchers_.erase(it);
            continue;
        }
        sort_workers(snapshot, order_);
        pools.push_back(std::move(snapshot));
        ++it;
    }
    last_ = std::move(pools);
}

std::vector<TextLine> Session::lines() const {
    return redis_ ? text_view(runs_) : text_view(last_, unreadable_);
}

void Session::show(bool first) {
    if (screen_) {
        draw_screen();
        return;
    }
    if (options_.json) {
        const auto json = redis_ ? json_view(runs_) : json_view(last_, unreadable_);
        std::fputs(
            (json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(),
            stdout);
    } else {
        if (!first) std::fputc('\n', stdout);
        for (const auto& line : lines()) std::printf("%s\n", line.text.c_str());
    }
    cli::check_output(stdout);
}

void Session::draw_screen() {
    std::vector<std::string> texts;
    std::vector<std::size_t> rows;  // the worker rows' line numbers
    for (const auto& line : lines()) {
        if (line.worker >= 0) rows.push_back(texts.size());
        texts.push_back(line.text);
    }
    if (!rows.empty() && selected_ >= rows.size()) selected_ = rows.size() - 1;
    const auto highlight = rows.empty() ? std::nullopt : std::optional(rows[selected_]);
    std::string status = redis_ ? "q quit"
                                : "q quit  s sort (" + std::string(to_string(order_)) +
                                      ")  arrows select  k cancel job  p pause/resume";
    if (!message_.empty()) status = message_ + "  | " + status;  // first: the screen may be narrow
    screen_->draw(texts, highlight, status);
}

// The selected worker row's pool and worker.
void Session::act(Key key) {
    if (redis_) return;  // the keys act on local pools
    const auto shown = lines();
    std::vector<const TextLine*> rows;
    for (const auto& line : shown)
        if (line.worker >= 0) rows.push_back(&line);
    switch (key) {
        case Key::up:
            if (selected_ > 0) --selected_;
            return;
        case Key::down:
            if (selected_ + 1 < rows.size()) ++selected_;
            return;
        case Key::sort:
            order_ = next(order_);
            for (auto& pool : last_) sort_workers(pool, order_);
            return;
        default:
            break;
    }
    if (selected_ >= rows.size()) return;
    const auto& pool = last_[static_cast<std::size_t>(rows[selected_]->pool)];
    const WorkerSnapshot* worker = nullptr;
    for (const auto& w : pool.workers)
        if (static_cast<int>(w.index) == rows[selected_]->worker) worker = &w;
    if (key == Key::pause) {
        message_ = actions_->pause_or_resume(pool.supervisor, pool.segment);
    } else if (key == Key::cancel) {
        message_ = worker && worker->job_id
                       ? actions_->cancel(pool.supervisor, pool.segment, *worker->job_id)
                       : "cancel: the selected worker runs no job";
    }
}

Session::Event Session::wait(Clock::time_point until) {
    for (;;) {
        std::vector<pollfd> fds{{signals_.fd(), POLLIN, 0}};
        if (screen_ && screen_->key_fd() >= 0) fds.push_back({screen_->key_fd(), POLLIN, 0});
        const auto first_pool = fds.size();
        if (options_.pid) {
            for (const auto& [name, watcher] : watchers_)
                fds.push_back({watcher.pool().ended_fd(), POLLIN, 0});
        }
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
        if (left <= 0) return Event::timeout;
        if (::poll(fds.data(), fds.size(), static_cast<int>(left)) < 0) {
            if (errno == EINTR) continue;
            forkline::throw_os_error("poll");
        }
        if (fds[0].revents != 0) {
            const int signal = signals_.take();
            if (signal == SIGWINCH) return Event::redraw;
            if (signal == SIGTSTP) {
                suspend();
                return Event::redraw;
            }
            if (signal != 0) return Event::quit;
        }
        for (auto k = first_pool; k < fds.size(); ++k) {
            if (fds[k].revents != 0) return Event::pool_ended;
        }
        if (screen_ && screen_->key_fd() >= 0 && fds[1].revents != 0) {
            const auto keys = screen_->read_keys();
            if (keys.empty() && (fds[1].revents & (POLLHUP | POLLERR)) != 0) return Event::quit;
            for (const auto key : keys) {
                if (key == Key::quit) return Event::quit;
                act(key);
            }
            if (!keys.empty()) return Event::redraw;
        }
    }
}

// Ctrl-Z: stopped with the terminal as it was, the screen set up again once continued.
// The SIGTSTP read is sent again and let through, its default action the kernel's: a stop,
// or nothing in an orphaned process group, where no shell would continue top.
void Session::suspend() {
    const bool on_screen = screen_.has_value();
    screen_.reset();
    const sigset_t stop = forkline::signal_set(SIGTSTP);
    ::kill(::getpid(), SIGTSTP);
    ::pthread_sigmask(SIG_UNBLOCK, &stop, nullptr);  // stops here until SIGCONT
    ::pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    if (on_screen) screen_.emplace();
}

int Session::ended() {
    screen_.reset();  // the terminal back first: the message stays visible
    std::fprintf(options_.json ? stderr : stdout, "pool %d ended\n", static_cast<int>(ended_pool_));
    cli::check_output(stdout);
    return 0;
}

int Session::run() {
    attach();
    if (terminal_) screen_.emplace();
    const auto every = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options_.interval_s));
    // Off a terminal, without -n: one look (JSON: a stream, as top -b).
    const std::uint64_t looks = options_.iterations.value_or(terminal_ || options_.json ? 0 : 1);
    for (std::uint64_t n = 0; looks == 0 || n < looks; ++n) {
        if (!options_.pid) attach();
        look();
        if (options_.pid && watchers_.empty()) return ended();
        show(n == 0);
        if (looks != 0 && n + 1 == looks) break;
        const auto next = Clock::now() + every;
        for (auto event = wait(next); event != Event::timeout; event = wait(next)) {
            if (event == Event::quit) return 0;
            if (event == Event::pool_ended) {
                look();
                if (watchers_.empty()) return ended();
            }
            if (screen_) draw_screen();
        }
    }
    return 0;
}

}  // namespace

int run_top(const TopOptions& options) {
    Session session(options);
    return session.run();
}

}  // namespace top
