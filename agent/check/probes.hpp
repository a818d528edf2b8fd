#pragma once

// What the checks ask of this machine and the network, behind functions: production wires the platform's
// probes (probes_linux.cpp / probes_windows.cpp), unit tests made-up answers.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agent/check/checker.hpp"
#include "common/duration.hpp"

namespace sb::check {

struct Probes {
    std::function<std::chrono::system_clock::time_point()> now;
    // Whether host:port accepts a TCP connection within the timeout; an error when it cannot tell.
    std::function<Probe<bool>(const std::string& host, std::uint16_t port, Duration timeout)> tcp_open;
    // The largest unfragmented IP packet towards host (path MTU), or why the platform cannot tell.
    std::function<Probe<int>(const std::string& host)> path_mtu;
    // Whether a UDP socket can bind the port on every address of this node (nothing else holds it).
    std::function<Probe<bool>(std::uint16_t port)> udp_port_free;
    // This node's IP addresses.
    std::function<Probe<std::vector<std::string>>()> local_addresses;
    // The host firewall's verdict on inbound traffic to each wanted port (Windows).
    std::function<Probe<std::vector<FirewallPort>>(const std::vector<FirewallPort>& wanted)> firewall;
    std::function<std::string()> host_name;
    // Runs a task on its own thread; unset: inline, in order (deterministic unit tests).
    std::function<void(std::function<void()>)> spawn;
    // Whether the checks may run beside other work (a join's own requests). False where that is not safe.
    bool beside_other_work = true;
};

// This platform's probes (the system clock, real sockets, the platform's APIs).
Probes platform_probes();

// Portable pieces the platform files share.
Probe<bool> tcp_open(const std::string& host, std::uint16_t port, Duration timeout);
Probe<bool> udp_port_free(std::uint16_t port);

}  // namespace sb::check
