// Winsock sockets on loopback for the Windows tests of forkline ports (Windows only).
#pragma once

#include <winsock2.h>
#include <ws2tcpip.h>

#include <cstdint>

namespace test_support {

// WSAStartup for a test case's lifetime.
struct Winsock {
    Winsock();
    ~Winsock();
    Winsock(const Winsock&) = delete;
    Winsock& operator=(const Winsock&) = delete;
};

// A socket bound to port 0 of loopback (the system picks a free port); TCP ones listen.
// REQUIREs that each step works.
struct LoopbackSocket {
    SOCKET socket = INVALID_SOCKET;
    std::uint16_t port = 0;

    LoopbackSocket(int family, int type);
    ~LoopbackSocket();
    LoopbackSocket(const LoopbackSocket&) = delete;
    LoopbackSocket& operator=(const LoopbackSocket&) = delete;
};

// Wine names no socket's owner (pid 0 in every row of its iphlpapi tables).
bool under_wine();

}  // namespace test_support
