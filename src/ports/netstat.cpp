#include "netstat.hpp"

#include <forkline/pipeline.hpp>
#include <stdexcept>

#include "text_fields.hpp"

namespace ports {

namespace {

[[noreturn]] void bad_line(std::string_view line) {
    throw std::runtime_error("unexpected line: " + std::string(line));
}

template <typename T>
T number(std::string_view text, std::string_view line) {
    const auto value = parse_number<T>(text);
    if (!value) bad_line(line);
    return *value;
}

// "0.0.0.0:22", ":::22", "[::1]:631", "*:68", "127.0.0.53%lo:53" -> address, port; the
// address as the /proc listing writes it.
Socket parse_endpoint(std::string_view protocol, std::string_view endpoint, std::string_view line) {
    const auto colon = endpoint.rfind(':');
    if (colon == std::string_view::npos) bad_line(line);
    auto address = endpoint.substr(0, colon);
    if (address.starts_with('[') && address.ends_with(']'))
        address = address.substr(1, address.size() - 2);
    address = address.substr(0, address.find('%'));  // the interface of a scoped address
    // ss writes "*" for the IPv6 wildcard of a dual-stack socket (it lists in /proc/net/tcp6),
    // "0.0.0.0" and "[::]" for the others.
    const bool wildcard = address == "*";
    const bool ipv6 =
        wildcard || address.find(':') != std::string_view::npos || protocol.ends_with('6');
    // netstat writes an IPv4-mapped IPv6 address as IPv4; inet_ntop (the /proc listing, ss)
    // as ::ffff:a.b.c.d.
    const bool mapped = ipv6 && !wildcard && address.find(':') == std::string_view::npos;
    Socket socket{protocol.starts_with("tcp") ? Protocol::tcp : Protocol::udp,
                  ipv6 ? Family::ipv6 : Family::ipv4,
                  wildcard ? "::" : (mapped ? "::ffff:" : "") + std::string(address),
                  number<std::uint16_t>(endpoint.substr(colon + 1), line),
                  0,
                  -1};
    return socket;
}

ProcessInfo named_process(pid_t pid, std::string_view program) {
    ProcessInfo process;
    process.pid = pid;
    process.name = std::string(program.substr(0, program.find(':')));
    process.command_line = std::string(program);
    return process;
}

}  // namespace

std::vector<Listener> parse_netstat_output(std::string_view text, const SocketFilter& filter) {
    // Proto Recv-Q Send-Q Local-Address Foreign-Address [State] PID/Program-name
    // UDP rows have no state, a long address shifts the columns (-W prints addresses whole)
    // and the program may hold spaces: the program column is the first word after the
    // addresses that is "-" or holds a '/', and runs to the end of the line.
    std::vector<Listener> listeners;
    for (const auto line : lines_of(text)) {
        if (!line.starts_with("tcp") && !line.starts_with("udp")) continue;
        const auto words = words_of(line);
        if (words.size() < 6) bad_line(line);
        Listener listener{parse_endpoint(words[0], words[3], line), {}};
        if (!filter.accepts(listener.socket.protocol, listener.socket.port)) continue;
        std::size_t column = 5;
        if (words[column] != "-" && words[column].find('/') == std::string_view::npos) ++column;
        if (column >= words.size()) bad_line(line);
        auto program = line.substr(static_cast<std::size_t>(words[column].data() - line.data()));
        program = program.substr(0, program.find_last_not_of(" \t\r") + 1);
        if (program != "-") {  // "-": a process we may not see
            const auto slash = program.find('/');
            if (slash == std::string_view::npos) bad_line(line);
            listener.processes.push_back(named_process(
                number<pid_t>(program.substr(0, slash), line), program.substr(slash + 1)));
        }
        listeners.push_back(std::move(listener));
    }
    sort_listeners(listeners);
    return listeners;
}

std::vector<Listener> parse_ss_output(std::string_view text, const SocketFilter& filter) {
    // Netid State Recv-Q Send-Q Local:Port Peer:Port Process
    // Process: users:(("sshd",pid=123,fd=3),("sshd",pid=124,fd=3))
    std::vector<Listener> listeners;
    for (const auto line : lines_of(text)) {
        if (!line.starts_with("tcp") && !line.starts_with("udp")) continue;
        const auto words = words_of(line);
        if (words.size() < 6) bad_line(line);
        Listener listener{parse_endpoint(words[0], words[4], line), {}};
        if (!filter.accepts(listener.socket.protocol, listener.socket.port)) continue;
        auto at = line.find("users:(");
        while (at != std::string_view::npos &&
               (at = line.find("(\"", at)) != std::string_view::npos) {
            const auto name_start = at + 2;
            const auto name_end = line.find('"', name_start);
            const auto pid_at = line.find("pid=", name_end);
            const auto pid_end = line.find_first_of(",)", pid_at);
            if (name_end == std::string_view::npos || pid_end == std::string_view::npos)
                bad_line(line);
            listener.processes.push_back(
                named_process(number<pid_t>(line.substr(pid_at + 4, pid_end - pid_at - 4), line),
                              line.substr(name_start, name_end - name_start)));
            at = pid_end;
        }
        listeners.push_back(std::move(listener));
    }
    sort_listeners(listeners);
    return listeners;
}

std::vector<Listener> run_netstat(const SocketFilter& filter, std::chrono::nanoseconds timeout) {
    struct Tool {
        const char* command;
        std::vector<Listener> (*parse)(std::string_view, const SocketFilter&);
    };
    constexpr Tool kTools[] = {{"netstat -tulpnW", parse_netstat_output},
                               {"ss -tulpn", parse_ss_output}};
    const auto timeout_or_none =
        timeout.count() > 0 ? std::optional(timeout) : std::nullopt;  // 0: no timeout
    for (const auto& tool : kTools) {
        const auto result = forkline::run_pipeline(tool.command, {.stdin_null = true,
                                                                  .capture_stdout = true,
                                                                  .capture_stderr = true,
                                                                  .timeout = timeout_or_none});
        if (result.stages.front().error_status == 127) continue;  // not installed
        if (result.timed_out) {
            throw forkline::Error(std::string(tool.command) + " did not finish within the " +
                                  "timeout; its output so far was discarded");
        }
        if (result.exit_code != 0) {
            throw forkline::Error(std::string(tool.command) + " failed (exit " +
                                  std::to_string(result.exit_code) + "): " + result.stderr_data);
        }
        return tool.parse(result.stdout_data, filter);
    }
    throw forkline::Error(
        "--netstat needs netstat (net-tools) or ss (iproute2); neither is in PATH");
}

}  // namespace ports
