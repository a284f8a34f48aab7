// --netstat on Windows: not there yet. Windows' `netstat -ano` prints another table than
// Linux's netstat and ss (and wine's lists no listening sockets at all to test a parser
// on), while the iphlpapi tables that netstat itself reads are what `forkline ports` reads.
#include <forkline/error.hpp>

#include "netstat.hpp"

namespace ports {

std::vector<Listener> run_netstat(const SocketFilter&, std::chrono::nanoseconds) {
    throw forkline::Error(
        "--netstat is not available on Windows: without it, forkline ports reads the same "
        "tables netstat reads (iphlpapi)");
}

}  // namespace ports
