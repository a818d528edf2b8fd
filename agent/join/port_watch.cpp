#include "agent/join/port_watch.hpp"

#include <algorithm>

namespace sb {

namespace {

// An open port is looked at again only this many periods later: a connect that is accepted costs the
// manager's swarm listener an accept, and a herd would otherwise keep it busy during `swarm init`.
constexpr int open_recheck_periods = 20;

// Equal jitter, as the backoff: [period/2, period].
Duration jittered(Duration period, double uniform01) {
    auto half = period.count() / 2;
    return Duration(half +
                    static_cast<Duration::rep>(static_cast<double>(period.count() - half) * uniform01));
}

}  // namespace

PortWatch::PortWatch(PortWatchPolicy policy, UniformRandom random)
    : policy_(policy), random_(std::move(random)) {}

void PortWatch::set_addresses(const std::vector<std::string>& addrs) {
    std::vector<Watched> next;
    for (const auto& a : addrs) {
        if (std::any_of(next.begin(), next.end(), [&](const Watched& w) { return w.addr == a; })) {
            continue;
        }
        if (auto* w = find(a)) {
            next.push_back(*w);
        } else {
            next.push_back(Watched{a, Clock::time_point::min(), false, std::nullopt, {}});
        }
    }
    watched_ = std::move(next);
}

std::vector<std::string> PortWatch::due(Clock::time_point now) {
    std::vector<std::string> out;
    for (auto& w : watched_) {
        if (!w.in_flight && w.next <= now) {
            w.in_flight = true;
            out.push_back(w.addr);
        }
    }
    return out;
}

bool PortWatch::finished(const std::string& addr, bool open, Clock::time_point now) {
    auto* w = find(addr);
    if (w == nullptr) {
        return false;  // no longer watched (the manager list changed meanwhile)
    }
    bool opened = open && w->open != true;
    w->in_flight = false;
    w->open = open;
    w->seen = now;
    w->next = now + jittered(open ? open_recheck_periods * policy_.period : policy_.period, random_());
    return opened;
}

bool PortWatch::is_open(const std::string& addr) const {
    const auto* w = find(addr);
    return w != nullptr && w->open == true;
}

std::vector<std::string> PortWatch::open_addresses() const {
    std::vector<std::string> out;
    for (const auto& w : watched_) {
        if (w.open == true) {
            out.push_back(w.addr);
        }
    }
    return out;
}

std::map<std::string, Clock::time_point> PortWatch::seen_open() const {
    std::map<std::string, Clock::time_point> out;
    for (const auto& w : watched_) {
        if (w.open == true) {
            out.emplace(w.addr, w.seen);
        }
    }
    return out;
}

Clock::time_point PortWatch::next_due() const {
    auto next = Clock::time_point::max();
    for (const auto& w : watched_) {
        if (!w.in_flight) {
            next = std::min(next, w.next);
        }
    }
    return next;
}

PortWatch::Watched* PortWatch::find(const std::string& addr) {
    auto it =
        std::find_if(watched_.begin(), watched_.end(), [&](const Watched& w) { return w.addr == addr; });
    return it == watched_.end() ? nullptr : &*it;
}

const PortWatch::Watched* PortWatch::find(const std::string& addr) const {
    auto it =
        std::find_if(watched_.begin(), watched_.end(), [&](const Watched& w) { return w.addr == addr; });
    return it == watched_.end() ? nullptr : &*it;
}

}  // namespace sb
