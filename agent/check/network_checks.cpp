// ManagerAPI, SwarmPort, GossipPort, DataPathPort, PathMTU: whether this node reaches the managers and can
// carry overlay traffic.

#include <algorithm>
#include <memory>

#include "agent/check/check_support.hpp"
#include "agent/check/checks.hpp"

namespace sb::check {

namespace {

// Per-manager verdicts: an error when no manager passes, a warning when some do not.
Result per_manager(std::string_view name, const std::vector<std::string>& good,
                   const std::vector<std::string>& bad, const std::string& what, const std::string& fix) {
    if (good.empty() && bad.empty()) {
        return skipped(name, "no manager given (--manager)");
    }
    if (bad.empty()) {
        return ok(name, what + ": " + join_list(good));
    }
    return problem(name, good.empty() ? Status::error : Status::warning,
                   "not " + what + ": " + join_list(bad, "; "), fix);
}

class ManagerApi final : public Checker {
  public:
    std::string_view name() const override { return "ManagerAPI"; }
    When when() const override { return When::always; }
    Result run(const Facts& f) const override {
        std::vector<std::string> good;
        std::vector<std::string> bad;
        for (const auto& m : f.managers) {
            if (m.api_error) {
                bad.push_back(m.address + " (" + m.api_error->describe() + ")");
            } else if (m.swarm_error) {
                bad.push_back(m.address + " (" + m.swarm_error->describe() + ")");
            } else {
                good.push_back(m.address);
            }
        }
        return per_manager(name(), good, bad, "answering as a swarm manager",
                           "check the --manager address, that the manager's Engine API listens there, and "
                           "that it is a swarm manager (docker node ls on it)");
    }
};

class PortCheck final : public Checker {
  public:
    PortCheck(const char* name, const char* port, Probe<bool> ManagerFacts::*field, std::string fix)
        : name_(name), port_(port), field_(field), fix_(std::move(fix)) {}
    std::string_view name() const override { return name_; }
    Result run(const Facts& f) const override {
        std::vector<std::string> good;
        std::vector<std::string> bad;
        std::vector<std::string> unknown;
        for (const auto& m : f.managers) {
            const auto& probe = m.*field_;
            if (!probe) {
                unknown.push_back(m.host + " (" + probe.error() + ")");
            } else if (*probe) {
                good.push_back(m.host);
            } else {
                bad.push_back(m.host);
            }
        }
        if (good.empty() && bad.empty() && !unknown.empty()) {
            return skipped(name_, "cannot tell: " + join_list(unknown, "; "));
        }
        return per_manager(name_, good, bad, std::string(port_) + " accepting connections", fix_);
    }

  private:
    const char* name_;
    const char* port_;
    Probe<bool> ManagerFacts::*field_;
    std::string fix_;
};

class DataPathPort final : public Checker {
  public:
    std::string_view name() const override { return "DataPathPort"; }
    When when() const override { return When::before_join; }
    Result run(const Facts& f) const override {
        const std::string port = std::to_string(f.data_path_port) + "/udp";
        const std::string source =
            f.data_path_port_from_swarm ? " (the swarm's DataPathPort)" : " (the default)";
        if (f.windows && f.data_path_port != default_data_path_port) {
            return problem(
                name(), Status::error,
                "the swarm's data path port is " + port + "; Windows nodes carry VXLAN only on 4789",
                "Windows cannot join this swarm's overlay; the data path port is fixed at `swarm "
                "init` (--data-path-port), so a swarm with Windows nodes needs 4789");
        }
        if (f.member()) {
            return skipped(name(), "this node is a swarm member: its own VXLAN holds " + port);
        }
        if (!f.data_path_port_free) {
            return skipped(name(),
                           "cannot tell whether " + port + " is free: " + f.data_path_port_free.error());
        }
        if (!*f.data_path_port_free) {
            return problem(
                name(), Status::error, port + source + " is held by another socket on this node",
                "stop what holds it (ss -lunp 'sport = :" + std::to_string(f.data_path_port) +
                    "'; an SDN such as NSX or flannel uses 4789 too), or init the swarm with another "
                    "--data-path-port");
        }
        return ok(name(), port + source + " is free on this node");
    }
};

class PathMtu final : public Checker {
  public:
    std::string_view name() const override { return "PathMTU"; }
    Result run(const Facts& f) const override {
        constexpr int needed = overlay_mtu + vxlan_overhead;
        std::vector<std::string> good;
        std::vector<std::string> low;
        std::vector<std::string> unknown;
        for (const auto& m : f.managers) {
            if (!m.path_mtu) {
                unknown.push_back(m.host + ": " + m.path_mtu.error());
            } else if (*m.path_mtu < needed) {
                low.push_back(m.host + " " + std::to_string(*m.path_mtu));
            } else {
                good.push_back(m.host + " " + std::to_string(*m.path_mtu));
            }
        }
        if (f.managers.empty()) {
            return skipped(name(), "no manager given (--manager)");
        }
        if (!low.empty()) {
            return problem(name(), Status::warning,
                           "path MTU below the " + std::to_string(needed) + " an overlay of " +
                               std::to_string(overlay_mtu) + " needs (VXLAN adds " +
                               std::to_string(vxlan_overhead) + " bytes): " + join_list(low),
                           "large overlay packets will be dropped: fix the link's MTU, or create overlay "
                           "networks with --opt com.docker.network.driver.mtu=<path MTU - " +
                               std::to_string(vxlan_overhead) + ">");
        }
        if (good.empty()) {
            return skipped(name(), join_list(unknown, "; "));
        }
        return ok(name(), "path MTU towards " + join_list(good) +
                              (unknown.empty() ? "" : " (cannot tell: " + join_list(unknown, "; ") + ")"));
    }
};

}  // namespace

std::unique_ptr<Checker> make_manager_api_check() {
    return std::make_unique<ManagerApi>();
}
std::unique_ptr<Checker> make_swarm_port_check() {
    return std::make_unique<PortCheck>(
        "SwarmPort", "2377/tcp", &ManagerFacts::swarm_port,
        "open 2377/tcp on the manager and on the way to it (firewall, security group); a node that cannot "
        "reach it cannot join through that manager");
}
std::unique_ptr<Checker> make_gossip_port_check() {
    return std::make_unique<PortCheck>(
        "GossipPort", "7946/tcp", &ManagerFacts::gossip_port,
        "open 7946/tcp and 7946/udp between all nodes (firewall, security group); without them overlay "
        "networks and service discovery fail");
}
std::unique_ptr<Checker> make_data_path_port_check() {
    return std::make_unique<DataPathPort>();
}
std::unique_ptr<Checker> make_path_mtu_check() {
    return std::make_unique<PathMtu>();
}

}  // namespace sb::check
