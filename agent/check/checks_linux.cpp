// Linux: the path MTU from a DF-marked UDP probe towards the manager's VXLAN port (IP_MTU after the probe:
// the route's, or less where an ICMP "fragmentation needed" came back), the addresses from getifaddrs. Linux
// has no one host firewall API (iptables, nftables, firewalld), so no Firewall check.

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "agent/check/checks.hpp"
#include "agent/check/probes.hpp"
#include "agent/platform/platform.hpp"
#include "common/detached_thread.hpp"

namespace sb::check {

namespace {

Probe<int> linux_path_mtu(const std::string& host) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (int rc = getaddrinfo(host.c_str(), "4789", &hints, &found); rc != 0) {
        return sb::unexpected(std::string("cannot resolve ") + host + ": " + gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> holder(found, freeaddrinfo);
    const bool v6 = found->ai_family == AF_INET6;
    int fd = socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return sb::unexpected(std::string("socket: ") + std::strerror(errno));
    }
    std::unique_ptr<int, void (*)(int*)> closer(&fd, [](int* p) { close(*p); });
    // Don't fragment: the kernel then reports the path MTU it knows (the route's, or one an ICMP
    // "fragmentation needed" taught it) rather than the interface's.
    int pmtu = v6 ? IPV6_PMTUDISC_DO : IP_PMTUDISC_DO;
    if (setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER, &pmtu,
                   sizeof pmtu) != 0) {
        return sb::unexpected(std::string("IP_MTU_DISCOVER: ") + std::strerror(errno));
    }
    // connect() on UDP sends nothing: it picks the route.
    if (connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
        return sb::unexpected(std::string("no route: ") + std::strerror(errno));
    }
    auto read_mtu = [&]() -> Probe<int> {
        int mtu = 0;
        socklen_t len = sizeof mtu;
        if (getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU : IP_MTU, &mtu, &len) != 0) {
            return sb::unexpected(std::string("IP_MTU: ") + std::strerror(errno));
        }
        return mtu;
    };
    auto route_mtu = read_mtu();
    if (!route_mtu) {
        return route_mtu;
    }
    // One datagram of the largest size the route allows, DF set, zeros (a VXLAN socket drops it): a hop with
    // a smaller MTU answers "fragmentation needed" and the kernel lowers IP_MTU. That answer comes within a
    // round trip, so the wait is short and ends early on any ICMP error.
    const int headers = v6 ? 48 : 28;  // IP + UDP
    if (*route_mtu > headers) {
        std::vector<char> payload(static_cast<std::size_t>(*route_mtu - headers), 0);
        if (send(fd, payload.data(), payload.size(), MSG_DONTWAIT) < 0 && errno != EMSGSIZE) {
            return route_mtu;  // nothing sent (no buffer, refused by a filter): the route's figure stands
        }
        pollfd pfd{fd, POLLERR, 0};
        (void)poll(&pfd, 1, 50);
    }
    return read_mtu();
}

// The inodes of the sockets bound to the UDP port in this network namespace (/proc/net/udp{,6}).
std::vector<std::string> udp_port_inodes(std::uint16_t port) {
    std::vector<std::string> out;
    for (const char* table : {"/proc/net/udp", "/proc/net/udp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // the header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
                  timeout >> inode)) {
                continue;
            }
            auto colon = local.rfind(':');
            if (colon != std::string::npos && std::stoul(local.substr(colon + 1), nullptr, 16) == port) {
                out.push_back(inode);
            }
        }
    }
    return out;
}

// True when sockets hold the port and no process has any of them open: a VXLAN device's (kernel) socket.
bool linux_udp_port_kernel_only(std::uint16_t port) {
    auto inodes = udp_port_inodes(port);
    if (inodes.empty()) {
        return false;
    }
    std::error_code ec;
    for (const auto& proc : std::filesystem::directory_iterator("/proc", ec)) {
        std::error_code fd_ec;
        for (const auto& fd : std::filesystem::directory_iterator(proc.path() / "fd", fd_ec)) {
            std::error_code link_ec;
            auto target = std::filesystem::read_symlink(fd.path(), link_ec).string();
            for (const auto& inode : inodes) {
                if (target == "socket:[" + inode + "]") {
                    return false;
                }
            }
        }
    }
    return true;
}

// A port held only by the kernel is not another program's: say so rather than call it taken. Docker moves its
// VXLAN devices into each overlay's namespace, and their socket can outlive a leave by a moment.
Probe<bool> linux_udp_port_free(std::uint16_t port) {
    auto free = udp_port_free(port);
    if (free && !*free && linux_udp_port_kernel_only(port)) {
        return sb::unexpected(
            std::string("it is held by a kernel VXLAN socket, no process: this engine's own from a recent "
                        "leave, or another "
                        "overlay's (ip -d link show type vxlan)"));
    }
    return free;
}

Probe<std::vector<std::string>> linux_addresses() {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) {
        return sb::unexpected(std::string("getifaddrs: ") + std::strerror(errno));
    }
    std::vector<std::string> out;
    for (auto* a = list; a != nullptr; a = a->ifa_next) {
        if (a->ifa_addr == nullptr || (a->ifa_flags & IFF_UP) == 0) {
            continue;
        }
        char buf[INET6_ADDRSTRLEN] = {};
        if (a->ifa_addr->sa_family == AF_INET) {
            inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof buf);
        } else if (a->ifa_addr->sa_family == AF_INET6) {
            inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, buf, sizeof buf);
        } else {
            continue;
        }
        out.emplace_back(buf);
    }
    freeifaddrs(list);
    return out;
}

}  // namespace

std::vector<std::unique_ptr<Checker>> platform_checkers() {
    return {};
}

Probes platform_probes() {
    Probes p;
    p.now = [] { return std::chrono::system_clock::now(); };
    p.tcp_open = tcp_open;
    p.path_mtu = linux_path_mtu;
    p.udp_port_free = linux_udp_port_free;
    p.local_addresses = linux_addresses;
    p.host_name = platform::host_name;
    p.spawn = spawn_detached;
    return p;
}

}  // namespace sb::check
