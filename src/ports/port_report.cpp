#include "port_report.hpp"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "owner_query.hpp"
#include "printable.hpp"
#include "user_names.hpp"

namespace ports {

namespace {

constexpr const char* kDash = "-";

template <typename T, typename Format>
std::string or_dash(const std::optional<T>& value, Format format) {
    return value ? format(*value) : kDash;
}

std::string human_bytes(std::uint64_t bytes) {
    constexpr const char* kUnits[] = {"B", "K", "M", "G", "T"};
    auto value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(kUnits)) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit == 0 ? "%.0f%s" : "%.1f%s", value, kUnits[unit]);
    return text;
}

std::string seconds_text(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", seconds);
    return text;
}

std::string local_time(std::int64_t unix_seconds) {
    const auto time = static_cast<std::time_t>(unix_seconds);
    // std::localtime, not localtime_r (which mingw lacks): reports are drawn by one thread.
    const std::tm* parts = std::localtime(&time);
    if (parts == nullptr) return kDash;
    char text[32];
    std::strftime(text, sizeof text, "%m-%d %H:%M", parts);
    return text;
}

std::string socket_user(const Socket& socket) {
    return socket.uid < 0 ? kDash : user_name(socket.uid);
}

std::vector<std::string> row(const Socket& socket, const ProcessInfo* process) {
    std::vector<std::string> cells = {
        to_string(socket.protocol) + std::string(socket.family == Family::ipv6 ? "6" : ""),
        socket.address, std::to_string(socket.port)};
    if (process == nullptr) {
        cells.insert(cells.end(), {kDash, socket_user(socket), kDash, kDash, kDash, kDash, kDash,
                                   kDash, kDash, kDash});
        return cells;
    }
    const auto number = [](auto n) { return std::to_string(n); };
    cells.insert(
        cells.end(),
        {std::to_string(process->pid), process->user.value_or(kDash),
         process->name.empty() ? kDash : cli::printable(process->name),
         process->state.empty() ? kDash : process->state, or_dash(process->rss_bytes, human_bytes),
         or_dash(process->threads, number), or_dash(process->cpu_seconds, seconds_text),
         or_dash(process->start_time, local_time), or_dash(process->open_fds, number),
         cli::printable(process->command_line.empty() ? "[" + process->name + "]"
                                                      : process->command_line)});
    return cells;
}

}  // namespace

std::string cut_to_width(std::string_view line, std::size_t width) {
    if (width == 0) return std::string(line);
    std::size_t characters = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const bool continuation = (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80;
        if (!continuation && ++characters > width) return std::string(line.substr(0, i));
    }
    return std::string(line);
}

void print_table(std::FILE* out, const std::vector<Listener>& listeners, std::size_t width) {
    std::vector<std::vector<std::string>> rows = {{"PROTO", "ADDRESS", "PORT", "PID", "USER",
                                                   "NAME", "S", "RSS", "THR", "CPU", "STARTED",
                                                   "FDS", "COMMAND"}};
    for (const auto& listener : listeners) {
        if (listener.processes.empty()) rows.push_back(row(listener.socket, nullptr));
        for (const auto& process : listener.processes)
            rows.push_back(row(listener.socket, &process));
    }
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto& cells : rows) {
        for (std::size_t c = 0; c < cells.size(); ++c)
            widths[c] = std::max(widths[c], cells[c].size());
    }
    for (const auto& cells : rows) {
        std::string line;
        for (std::size_t c = 0; c + 1 < cells.size(); ++c)
            line += cells[c] + std::string(widths[c] - cells[c].size() + 1, ' ');
        line += cells.back();
        std::fprintf(out, "%s\n", cut_to_width(line, width).c_str());
    }
    if (listeners.empty()) std::fprintf(out, "(no listening sockets)\n");
}

nlohmann::json to_json(const std::vector<Listener>& listeners) {
    auto items = nlohmann::json::array();
    for (const auto& listener : listeners) {
        const auto& socket = listener.socket;
        items.push_back({{"protocol", to_string(socket.protocol)},
                         {"family", to_string(socket.family)},
                         {"address", socket.address},
                         {"port", socket.port},
                         {"inode", socket.inode ? nlohmann::json(socket.inode) : nullptr},
                         {"user", socket.uid < 0 ? nlohmann::json(nullptr)
                                                 : nlohmann::json(user_name(socket.uid))},
                         {"processes", listener.processes}});
    }
    return {{"listeners", items}};
}

}  // namespace ports
