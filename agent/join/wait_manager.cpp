#include <future>

#include "agent/join/phases.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::phases {

namespace {

struct Probe {
    Endpoint endpoint;
    std::optional<ReadyManager> ready;
    std::optional<ApiError> error;
};

// One manager: its /info must say it can take control requests and has no raft error (a manager without
// quorum keeps ControlAvailable and still answers for ~35 s), and GET /swarm must answer with the tokens.
Probe probe_manager(EngineApi& api, const Endpoint& ep) {
    Probe p{ep, std::nullopt, std::nullopt};
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

bool fatal(const ApiError& e) {
    return e.kind == ApiErrorKind::tls || e.kind == ApiErrorKind::unauthorized;
}

}  // namespace

void wait_manager(JoinContext& ctx) {
    auto& log = sb::log("wait-manager");
    int attempt = 0;
    for (;;) {
        ++attempt;
        auto endpoints = expand_managers(ctx.managers, ctx.config.tls, ctx.services.resolve);
        std::vector<Probe> probes;
        std::string reasons;
        if (endpoints.empty()) {
            reasons = "no manager address resolves yet";
        } else {
            // Probe every manager at once: a round costs the slowest answer, not the sum.
            std::vector<std::future<Probe>> pending;
            for (const auto& ep : endpoints) {
                EngineApi& api = ctx.manager_client(ep);
                pending.push_back(
                    std::async(std::launch::async, [&api, ep] { return probe_manager(api, ep); }));
            }
            for (auto& f : pending) {
                probes.push_back(f.get());
            }
        }
        for (const auto& p : probes) {
            if (p.ready) {
                ctx.manager = p.ready;
                ctx.result.manager = p.endpoint.authority();
                ctx.result.cluster_id = p.ready->info.swarm.cluster_id;
                if (!p.endpoint.tls) {
                    log.warn(
                        "talking to manager {} over plain TCP: the join token crosses the network "
                        "unencrypted; "
                        "configure TLS (--tls-ca, --tls-cert, --tls-key) to protect it",
                        p.endpoint.authority());
                }
                log.info("manager {} is ready: cluster {}, {} manager(s) listed", p.endpoint.authority(),
                         p.ready->info.swarm.cluster_id, p.ready->info.swarm.remote_managers.size());
                return;
            }
        }
        for (const auto& p : probes) {
            if (fatal(*p.error)) {
                throw Failure(ExitCode::join_rejected, "manager " + p.endpoint.authority() +
                                                           " refused the connection: " + p.error->describe() +
                                                           "; check --tls-ca, --tls-cert and --tls-key");
            }
            reasons += (reasons.empty() ? "" : "; ") + p.endpoint.authority() + ": " + p.error->describe();
        }

        // With a token file only a manager's swarm port is needed; labels then have to wait.
        if (ctx.file_token) {
            ctx.swarm_addrs.clear();
            for (const auto& ep : endpoints) {
                if (ctx.services.probe_swarm_port(ep.host, 2377)) {
                    ctx.swarm_addrs.push_back(join_host_port(ep.host, 2377));
                }
            }
            if (!ctx.swarm_addrs.empty()) {
                log.warn(
                    "no manager API answers ({}); joining with the token file through {} — the node will "
                    "not be labelled until a manager API is reachable",
                    reasons, ctx.swarm_addrs.front());
                ctx.result.manager = ctx.swarm_addrs.front();
                return;
            }
        }

        if (ctx.deadline.expired()) {
            throw Failure(ExitCode::manager_deadline,
                          "no manager answered as an active swarm manager within " +
                              format_duration(ctx.config.timeout) + " (last: " + reasons +
                              "); check the --manager addresses and that the swarm is initialised");
        }
        auto next = ctx.backoff.next();
        log.info("no manager ready ({}); {}", reasons, ctx.progress(attempt, next));
        if (!ctx.pause(next)) {
            throw Stopped{};
        }
    }
}

}  // namespace sb::phases
