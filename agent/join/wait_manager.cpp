#include "agent/join/manager_probe.hpp"
#include "agent/join/phases.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::phases {

namespace {

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
        std::string reasons;
        if (endpoints.empty()) {
            reasons = "no manager address resolves yet";
        }
        auto probes = probe_managers(
            endpoints, [&](const Endpoint& ep) -> EngineApi& { return ctx.manager_client(ep); });
        for (const auto& p : probes) {
            if (p.ready) {
                ctx.manager = p.ready;
                ctx.result.manager = p.endpoint.authority();
                ctx.result.cluster_id = p.ready->info.swarm.cluster_id;
                if (!p.endpoint.tls && ctx.warned_plain_tcp.insert(p.endpoint.authority()).second) {
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
