#include "loopback_socket_windows.hpp"

#include <windows.h>

#include <doctest/doctest.h>

namespace test_support {

namespace {

// The first bind() a process makes opens a handle that winsock keeps for the life of the
// process (under wine 8.0: measured; no leak of a test's). Made before main, so that
// tests/main.cpp's per-test handle check still sees anything else a test leaves open.
const bool kWinsockWarm = [] {
    WSADATA data;
    if (::WSAStartup(MAKEWORD(2, 2), &data) != 0) return false;
    const SOCKET socket = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = ::htonl(INADDR_LOOPBACK);
    ::bind(socket, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::closesocket(socket);
    ::WSACleanup();
    return true;
}();

}  // namespace

Winsock::Winsock() {
    WSADATA data;
    REQUIRE(::WSAStartup(MAKEWORD(2, 2), &data) == 0);
}

Winsock::~Winsock() {
    ::WSACleanup();
}

LoopbackSocket::LoopbackSocket(int family, int type) : socket(::socket(family, type, 0)) {
    REQUIRE(socket != INVALID_SOCKET);
    sockaddr_storage address{};
    int size = 0;
    if (family == AF_INET) {
        auto& v4 = reinterpret_cast<sockaddr_in&>(address);
        v4.sin_family = AF_INET;
        v4.sin_addr.s_addr = ::htonl(INADDR_LOOPBACK);
        size = sizeof v4;
    } else {
        auto& v6 = reinterpret_cast<sockaddr_in6&>(address);
        v6.sin6_family = AF_INET6;
        v6.sin6_addr = in6addr_loopback;
        size = sizeof v6;
    }
    REQUIRE(::bind(socket, reinterpret_cast<sockaddr*>(&address), size) == 0);
    if (type == SOCK_STREAM) REQUIRE(::listen(socket, 4) == 0);
    REQUIRE(::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    port = ::ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in&>(address).sin_port
                                     : reinterpret_cast<sockaddr_in6&>(address).sin6_port);
}

LoopbackSocket::~LoopbackSocket() {
    ::closesocket(socket);
}

bool under_wine() {
    return ::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != nullptr;
}

}  // namespace test_support
