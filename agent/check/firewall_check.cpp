// Firewall: the host firewall lets the swarm's ports in (Windows: read through INetFwPolicy2). 2377/tcp
// matters on managers only, so a closed one is a warning; gossip and VXLAN are needed on every node.

#include <memory>

#include "agent/check/check_support.hpp"
#include "agent/check/checks.hpp"

namespace sb::check {

namespace {

class Firewall final : public Checker {
  public:
    std::string_view name() const override { return "Firewall"; }
    Result run(const Facts& f) const override {
        if (!f.firewall) {
            return skipped(name(), f.firewall.error());
        }
        std::vector<std::string> open;
        std::vector<std::string> closed;
        bool closed_needed = false;
        for (const auto& p : *f.firewall) {
            auto text = std::to_string(p.port) + "/" + p.protocol;
            if (p.allowed) {
                open.push_back(text);
            } else {
                closed.push_back(text);
                closed_needed = closed_needed || p.port != 2377;
            }
        }
        if (closed.empty()) {
            return ok(name(), "inbound allowed: " + join_list(open));
        }
        return problem(name(), closed_needed ? Status::error : Status::warning,
                       "no inbound allow rule for " + join_list(closed),
                       "allow them, e.g. New-NetFirewallRule -DisplayName swarm -Direction Inbound -Protocol "
                       "UDP -LocalPort 7946,4789 -Action Allow (and TCP 2377,7946)");
    }
};

}  // namespace

std::unique_ptr<Checker> make_firewall_check() {
    return std::make_unique<Firewall>();
}

}  // namespace sb::check
