#include "json_view.hpp"

#include <ctime>

namespace top {

namespace {

nlohmann::json usage_json(const Usage& usage) {
    if (usage.processes == 0) return nullptr;
    return {{"cpu_percent", usage.cpu_percent},
            {"rss_bytes", usage.rss_bytes},
            {"processes", usage.processes}};
}

nlohmann::json worker_json(const WorkerSnapshot& w) {
    nlohmann::json worker{{"index", w.index},
                          {"pid", w.pid},
                          {"state", to_string(w.state)},
                          {"job_id", or_null(w.job_id)},
                          {"elapsed_s", w.job_id ? nlohmann::json(w.elapsed_s) : nullptr},
                          {"jobs_done", w.jobs_done},
                          {"usage", usage_json(w.worker)},
                          {"job_group", w.job_group},
                          {"job_usage", usage_json(w.job)}};
    if (!w.command.empty()) worker["command"] = w.command;
    if (!w.last_line.empty()) worker["last_line"] = w.last_line;
    return worker;
}

nlohmann::json pool_json(const PoolSnapshot& pool) {
    nlohmann::json workers = nlohmann::json::array();
    for (const auto& w : pool.workers) workers.push_back(worker_json(w));
    return {{"supervisor", pool.supervisor},
            {"kind", pool.kind},
            {"uptime_s", pool.uptime_s},
            {"jobs",
             {{"submitted", pool.submitted},
              {"done", pool.done},
              {"delivered", pool.delivered()},
              {"succeeded", pool.succeeded},
              {"failed", pool.failed},
              {"cancelled", pool.cancelled},
              {"running", pool.running},
              {"queued", pool.queued},
              {"parked", pool.parked},
              {"total", or_null(pool.total)},
              {"requeued", pool.requeued}}},
            {"jobs_per_s_now", pool.jobs_per_s_now},
            {"jobs_per_s_average", pool.jobs_per_s_average},
            {"eta_s", or_null(pool.eta_s)},
            {"worker_deaths", pool.worker_deaths},
            {"respawns", pool.respawns},
            {"supervisor_usage", usage_json(pool.supervisor_usage)},
            {"workers", workers}};
}

}  // namespace

nlohmann::json json_view(const std::vector<PoolSnapshot>& pools,
                         const std::vector<Unreadable>& unreadable) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& pool : pools) all.push_back(pool_json(pool));
    nlohmann::json not_shown = nlohmann::json::array();
    for (const auto& pool : unreadable)
        not_shown.push_back({{"supervisor", pool.supervisor}, {"error", pool.why}});
    return {{"time", static_cast<double>(std::time(nullptr))},
            {"snapshot", true},
            {"pools", all},
            {"unreadable", not_shown}};
}

}  // namespace top
