#include "agent/join/manager_probe.hpp"

#include <future>

namespace sb {

namespace {

ManagerProbe probe_one(EngineApi& api, const Endpoint& ep) {
    ManagerProbe p{ep, std::nullopt, std::nullopt};
    auto info = api.info();
    if (!info) {
        p.error = info.error();
        return p;
    }
    const auto& s = info->swarm;
    if (!s.active() || !s.control_available) {
        ApiError e;
        e.kind = ApiErrorKind::not_manager;
        e.message = s.active() ? "a worker, not a manager"
                               : "not an active swarm manager (swarm state " + s.local_state + ")";
        p.error = e;
        return p;
    }
    if (!s.error.empty()) {
        ApiError e;
        e.kind = classify(500, s.error);
        if (e.kind == ApiErrorKind::other) {
            e.kind = ApiErrorKind::no_leader;
        }
        e.message = "manager reports: " + s.error;
        p.error = e;
        return p;
    }
    auto swarm = api.swarm();
    if (!swarm) {
        p.error = swarm.error();
        return p;
    }
    p.ready = ReadyManager{&api, *info, *swarm};
    return p;
}

}  // namespace

std::vector<ManagerProbe> probe_managers(const std::vector<Endpoint>& endpoints,
                                         const std::function<EngineApi&(const Endpoint&)>& client) {
    std::vector<std::future<ManagerProbe>> pending;
    for (const auto& ep : endpoints) {
        EngineApi& api = client(ep);
        pending.push_back(std::async(std::launch::async, [&api, ep] { return probe_one(api, ep); }));
    }
    std::vector<ManagerProbe> out;
    for (auto& f : pending) {
        out.push_back(f.get());
    }
    return out;
}

}  // namespace sb
