// A listening-port scan: the sockets from the OS's tables, then the processes that hold them.
// On Linux those are found by reading every process's fds — the costly part, spread over
// pool workers (workers/ports_worker); on Windows the tables name them, and the scan reads
// only their details, in this process. One scanner keeps its pool between scans (--watch).
#pragma once

#include <forkline/pool.hpp>
#include <optional>
#include <vector>

#include "listening_sockets.hpp"
#include "process_info.hpp"

namespace ports {

struct Listener {
    Socket socket;
    std::vector<ProcessInfo> processes;  // empty when we may not see the owner
};

class PortScanner {
  public:
    // workers == 0, or socket tables that name the owners: scan in this process, one pid
    // after the other.
    explicit PortScanner(unsigned workers);

    // Sorted by protocol, port, family and address.
    std::vector<Listener> scan(const SocketFilter& filter);

  private:
    std::optional<forkline::Pool> pool_;
};

// Sorts listeners and their processes into the report's order.
void sort_listeners(std::vector<Listener>& listeners);

}  // namespace ports
