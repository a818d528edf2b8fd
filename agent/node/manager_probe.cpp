#include "agent/node/manager_probe.hpp"

#include <condition_variable>
#include <mutex>

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

ManagerProbe probe_manager(const std::shared_ptr<EngineApi>& api, const Endpoint& ep) {
    ManagerProbe p{ep, std::nullopt, std::nullopt};
    auto swarm = api->swarm();
    if (!swarm) {
        p.starting = swarm.error().kind == ApiErrorKind::not_manager &&
                     swarm.error().message.find("being prepared") != std::string::npos;
        p.error = not_ready(swarm.error());
        return p;
    }
    auto info = api->info();
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
    p.ready = ReadyManager{api, *info, *swarm};
    return p;
}

void ask_manager(const Spawn& spawn, std::shared_ptr<EngineApi> api, Endpoint ep,
                 std::function<void(ManagerProbe)> done) {
    auto task = [api = std::move(api), ep = std::move(ep), done = std::move(done)] {
        done(probe_manager(api, ep));
    };
    if (spawn) {
        spawn(std::move(task));
    } else {
        task();
    }
}

std::vector<ManagerProbe> probe_managers(const std::vector<Endpoint>& endpoints, const ManagerClient& client,
                                         const Spawn& spawn) {
    struct Answers {
        std::mutex mutex;
        std::condition_variable done;
        std::vector<std::optional<ManagerProbe>> probes;
        std::size_t missing = 0;
    };
    auto answers = std::make_shared<Answers>();
    answers->probes.resize(endpoints.size());
    answers->missing = endpoints.size();
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        ask_manager(spawn, client(endpoints[i]), endpoints[i], [answers, i](ManagerProbe p) {
            std::lock_guard lock(answers->mutex);
            answers->probes[i] = std::move(p);
            --answers->missing;
            answers->done.notify_all();
        });
    }
    std::unique_lock lock(answers->mutex);
    answers->done.wait(lock, [&] { return answers->missing == 0; });
    std::vector<ManagerProbe> out;
    for (auto& p : answers->probes) {
        out.push_back(std::move(*p));
    }
    return out;
}

}  // namespace sb
