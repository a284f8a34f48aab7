#include "text_view.hpp"

#include <cinttypes>
#include <cstdio>

#include "printable.hpp"

namespace top {

namespace {

template <typename... Args>
std::string format(const char* pattern, Args... args) {
    char line[512];
    std::snprintf(line, sizeof line, pattern, args...);
    return line;
}

std::string usage_cell(const Usage& usage) {
    if (usage.processes == 0) return format("%5s %6s", "-", "-");
    return format("%5.1f %6s", usage.cpu_percent, short_bytes(usage.rss_bytes).c_str());
}

std::string pool_title(const PoolSnapshot& pool) {
    return format("pool %d (%s)  up %s  %zu workers  supervisor %s",
                  static_cast<int>(pool.supervisor), cli::printable(pool.kind).c_str(),
                  short_duration(pool.uptime_s).c_str(), pool.workers.size(),
                  usage_cell(pool.supervisor_usage).c_str());
}

std::string pool_totals(const PoolSnapshot& pool) {
    auto line = format("jobs: %" PRIu64 " submitted, %" PRIu64 " done, %" PRIu64
                       " running, %" PRIu64 " queued",
                       pool.submitted, pool.done, pool.running, pool.queued);
    if (pool.parked != 0) line += format(" (%" PRIu64 " held back: paused)", pool.parked);
    if (pool.total) line += format(", %" PRIu64 " in all", *pool.total);
    line += format("; delivered: %" PRIu64 " ok, %" PRIu64 " failed, %" PRIu64 " cancelled",
                   pool.succeeded, pool.failed, pool.cancelled);
    return line;
}

std::string pool_rates(const PoolSnapshot& pool) {
    auto line =
        format("rate: %.1f jobs/s now, %.1f average", pool.jobs_per_s_now, pool.jobs_per_s_average);
    if (pool.eta_s) line += ", ETA " + short_duration(*pool.eta_s);
    line += format("; worker deaths %" PRIu64 ", respawns %" PRIu64 ", jobs re-run %" PRIu64,
                   pool.worker_deaths, pool.respawns, pool.requeued);
    return line;
}

std::string worker_row(const WorkerSnapshot& w) {
    const auto job = w.job_id ? std::to_string(*w.job_id) : std::string("-");
    const auto elapsed = w.job_id ? short_duration(w.elapsed_s) : std::string("-");
    auto row = format("%5u %7d %-8s %8s %7s %8" PRIu64 " %s %s", w.index, static_cast<int>(w.pid),
                      to_string(w.state), job.c_str(), elapsed.c_str(), w.jobs_done,
                      usage_cell(w.worker).c_str(), usage_cell(w.job).c_str());
    if (!w.command.empty()) row += "  " + cli::printable(w.command);
    if (!w.last_line.empty()) row += "  > " + cli::printable(w.last_line);
    return row;
}

}  // namespace

std::string short_duration(double seconds) {
    if (seconds < 60) return format("%.1fs", seconds);
    const auto whole = static_cast<long long>(seconds);
    if (whole < 3600) return format("%lldm%02llds", whole / 60, whole % 60);
    if (whole < 86400) return format("%lldh%02lldm", whole / 3600, whole / 60 % 60);
    return format("%lldd%02lldh", whole / 86400, whole / 3600 % 24);
}

std::string short_bytes(std::uint64_t bytes) {
    const auto value = static_cast<double>(bytes);
    if (bytes < (1u << 20)) return format("%.0fK", value / 1024);
    if (bytes < (1u << 30)) return format("%.1fM", value / (1 << 20));
    return format("%.1fG", value / (1 << 30));
}

std::vector<TextLine> text_view(const std::vector<PoolSnapshot>& pools,
                                const std::vector<Unreadable>& unreadable) {
    std::vector<TextLine> lines;
    if (pools.empty() && unreadable.empty())
        lines.push_back({"no forkline pool of this user is running"});
    for (std::size_t p = 0; p < pools.size(); ++p) {
        const auto& pool = pools[p];
        if (p > 0) lines.push_back({""});
        lines.push_back({pool_title(pool)});
        lines.push_back({pool_totals(pool)});
        lines.push_back({pool_rates(pool)});
        lines.push_back(
            {format("%5s %7s %-8s %8s %7s %8s %5s %6s %5s %6s  %s", "W", "PID", "STATE", "JOB",
                    "ELAPSED", "DONE", "CPU%", "RSS", "JCPU%", "JRSS", "COMMAND  > LAST LINE")});
        for (const auto& worker : pool.workers) {
            lines.push_back(
                {worker_row(worker), static_cast<int>(p), static_cast<int>(worker.index)});
        }
    }
    for (const auto& pool : unreadable) {
        lines.push_back({format("pool %d: not shown: %s", static_cast<int>(pool.supervisor),
                                pool.why.c_str())});
    }
    return lines;
}

}  // namespace top
