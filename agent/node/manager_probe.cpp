#include "agent/node/manager_probe.hpp"

#include <future>

namespace sb {

namespace {

// GET /swarm's 503s, said the way a progress line should say them.
ApiError not_ready(ApiError e) {
    if (e.kind != ApiErrorKind::not_manager) {
        return e;
    }
    if (e.message.find("Worker nodes") != std::string::npos) {
        e.message = "a worker, not a manager";
    } else if (e.message.find("being prepared") != std::string::npos) {
        e.message = "not an active swarm manager yet (the swarm is being set up)";
    } else {
        e.message = "not an active swarm manager (no swarm yet)";
    }
    return e;
}

}  // namespace

ManagerProbe probe_manager(EngineApi& api, const Endpoint& ep) {
    ManagerProbe p{ep, std::nullopt, std::nullopt};
    auto swarm = api.swarm();
    if (!swarm) {
        p.starting = swarm.error().kind == ApiErrorKind::not_manager &&
                     swarm.error().message.find("being prepared") != std::string::npos;
        p.error = not_ready(swarm.error());
        return p;
    }
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
        p.starting = s.local_state == "pending";  // `swarm init` has handed out tokens, not finished yet
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
    p.ready = ReadyManager{&api, *info, *swarm};
    return p;
}

std::vector<ManagerProbe> probe_managers(const std::vector<Endpoint>& endpoints,
                                         const std::function<EngineApi&(const Endpoint&)>& client) {
    std::vector<std::future<ManagerProbe>> pending;
    for (const auto& ep : endpoints) {
        EngineApi& api = client(ep);
        pending.push_back(std::async(std::launch::async, [&api, ep] { return probe_manager(api, ep); }));
    }
    std::vector<ManagerProbe> out;
    for (auto& f : pending) {
        out.push_back(f.get());
    }
    return out;
}

}  // namespace sb
