// The subcommands the Windows build has not: `top` reads /proc and talks to pools over
// abstract Unix sockets, `worker` serves Redis, and there is no hiredis for mingw. Asking for
// one is one line and exit status 1 (forkline.cpp names the subcommand).
#include <forkline/error.hpp>

#include "subcommands.hpp"

int top_main(int, char**) {
    throw forkline::Error("not available on Windows (it reads /proc and Unix sockets)");
}

int worker_main(int, char**) {
    throw forkline::Error("not available on Windows (no Redis client is built there)");
}
