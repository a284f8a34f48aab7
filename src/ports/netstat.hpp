// --netstat: the same listing taken from `netstat -tulpnW`, or `ss -tulpn` where netstat is
// missing, run through the pipeline engine with a timeout and parsed. Only pid and program
// name are known per process there. Linux only: on Windows run_netstat says it is not
// there (netstat_windows.cpp).
#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "port_scanner.hpp"

namespace ports {

// Throws forkline::Error when neither tool exists, when it fails, or on timeout (0: none).
std::vector<Listener> run_netstat(const SocketFilter& filter, std::chrono::nanoseconds timeout);

// The parsers, pure. Lines they do not understand throw std::runtime_error.
std::vector<Listener> parse_netstat_output(std::string_view text, const SocketFilter& filter);
std::vector<Listener> parse_ss_output(std::string_view text, const SocketFilter& filter);

}  // namespace ports
