#pragma once

// Watching the managers' swarm ports (2377). The port stays closed until `swarm init` opens it, and a refused
// connect costs the manager a kernel RST and no dockerd work, so a waiting agent can look at it often and ask
// a manager's API only once the port is open. PortWatch is only the schedule (which address is due, what was
// seen); the connects run elsewhere (Services::spawn), so the schedule runs in virtual time in tests.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/backoff.hpp"
#include "common/clock.hpp"

namespace sb {

struct PortWatchPolicy {
    // Each address is looked at every [period/2, period] (jittered, so a herd spreads out).
    Duration period{250};
    // A blackholed address answers nothing: a connect is given up after this. There is never more than one
    // connect outstanding per address.
    Duration connect_timeout{1000};
};

class PortWatch {
  public:
    PortWatch(PortWatchPolicy policy, UniformRandom random);

    // The addresses ("host:port") to watch from now on, in order; what was seen of kept ones stays.
    void set_addresses(const std::vector<std::string>& addrs);
    // The addresses due for a connect at `now`; they are marked as having a connect outstanding.
    std::vector<std::string> due(Clock::time_point now);
    // A connect to `addr` ended at `now`. Returns true when the port was just seen to open (it was closed or
    // not looked at before).
    bool finished(const std::string& addr, bool open, Clock::time_point now);
    bool is_open(const std::string& addr) const;
    // The watched addresses seen open at their last connect, in order.
    std::vector<std::string> open_addresses() const;
    // The same, with when that connect ended.
    std::map<std::string, Clock::time_point> seen_open() const;
    // When the next connect falls due; time_point::max() when none will (no address, or all outstanding).
    Clock::time_point next_due() const;
    const PortWatchPolicy& policy() const { return policy_; }

  private:
    struct Watched {
        std::string addr;
        Clock::time_point next = Clock::time_point::min();
        bool in_flight = false;
        std::optional<bool> open;
        Clock::time_point seen{};  // when the last connect ended
    };
    Watched* find(const std::string& addr);
    const Watched* find(const std::string& addr) const;

    PortWatchPolicy policy_;
    UniformRandom random_;
    std::vector<Watched> watched_;
};

}  // namespace sb
