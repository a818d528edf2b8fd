#include <algorithm>

#include "agent/join/phases.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::phases {

namespace {

// How long dockerd's POST /swarm/join waits for the join itself (moby's swarmRequestTimeout).
constexpr Duration kEngineJoinTimeout = std::chrono::seconds(20);

// The host part of "10.0.0.5:2377" / "[fd00::5]:2377".
std::string host_of(const std::string& addr) {
    if (!addr.empty() && addr.front() == '[') {
        return addr.substr(1, addr.find(']') - 1);
    }
    return addr.substr(0, addr.rfind(':'));
}

// Whether the local engine's idea of its managers overlaps the swarm we are asked to join.
bool same_managers(const EngineInfo& local, const ReadyManager& manager,
                   const std::vector<Endpoint>& configured) {
    std::vector<std::string> ours;
    for (const auto& m : manager.info.swarm.remote_managers) {
        ours.push_back(m.addr);
        ours.push_back(host_of(m.addr));
    }
    for (const auto& ep : configured) {
        ours.push_back(ep.host);
    }
    return std::any_of(local.swarm.remote_managers.begin(), local.swarm.remote_managers.end(),
                       [&](const RemoteManager& m) {
                           return std::find(ours.begin(), ours.end(), m.addr) != ours.end() ||
                                  std::find(ours.begin(), ours.end(), host_of(m.addr)) != ours.end();
                       });
}

// A peer that cannot answer for a moment: waited out under the deadline, never exit 1.
Membership undecided(JoinContext& ctx, ExitCode at_deadline, const std::string& why) {
    ctx.undecided = Failure(at_deadline, why);
    return Membership::undecided;
}

bool no_answer(const ApiError& e) {
    return e.kind == ApiErrorKind::unreachable;
}

// True when the stale state is gone; false when the local engine did not answer (try again).
bool leave_stale(JoinContext& ctx, const std::string& why) {
    auto& log = sb::log("membership");
    if (ctx.config.dry_run) {
        log.info("dry run: would leave the local swarm state ({})", why);
        return true;
    }
    log.info("leaving the local swarm state: {}", why);
    auto stale_id = ctx.local_info.swarm.node_id;
    auto left = ctx.services.local->leave(false);
    if (!left && no_answer(left.error())) {
        return false;
    }
    if (!left && left.error().kind != ApiErrorKind::not_in_swarm) {
        throw Failure(ExitCode::internal, "could not leave the stale swarm state on the local engine: " +
                                              left.error().describe() + "; run 'swarm-bootstrap rejoin'");
    }
    ctx.left_stale_state = true;
    if (!stale_id.empty()) {
        ctx.old_entries.push_back(stale_id);  // the entry it may have got on a manager stays otherwise
    }
    return true;
}

}  // namespace

Membership check_membership(JoinContext& ctx) {
    auto& log = sb::log("membership");
    // Right after preflight saw "inactive", its /info is reused: if the local state changed while we waited,
    // the join is answered "already part of a swarm" (in 2 ms) and join_swarm checks again, from a fresh
    // /info. That saves the local engine 4.4 ms of CPU per join (a dry run asks nothing more of it).
    auto info = ctx.local_info_fresh ? ApiResult<EngineInfo>(ctx.local_info) : ctx.services.local->info();
    ctx.local_info_fresh = false;
    ctx.undecided.reset();
    if (!info) {
        return undecided(ctx, ExitCode::engine_deadline,
                         "the local engine " + ctx.services.local->address() + " stopped answering: " +
                             info.error().describe() + "; check that the docker service is running");
    }
    ctx.local_info = *info;
    const auto& s = info->swarm;

    if (s.local_state == "pending") {
        // A join may still be under way (a run stopped in the middle of its join; the engine goes on):
        // leaving now would strand the entry it already has on the manager. The engine gives its own join
        // 20 s.
        auto now = ctx.services.clock->now();
        if (!ctx.pending_since) {
            ctx.pending_since = now;
        }
        if (now - *ctx.pending_since < kEngineJoinTimeout) {
            return undecided(
                ctx, ExitCode::engine_deadline,
                "the local engine " + ctx.services.local->address() +
                    " is still joining a swarm (state pending); waiting for that join to finish");
        }
    }
    if (s.local_state == "pending" || s.local_state == "error") {
        // An earlier join failed, or never finished; the engine is stuck until it leaves.
        if (!leave_stale(ctx, "state " + s.local_state + " left by an earlier join")) {
            return undecided(ctx, ExitCode::engine_deadline,
                             "the local engine " + ctx.services.local->address() +
                                 " did not answer while leaving a stale swarm state");
        }
        return Membership::must_join;
    }
    if (s.local_state == "locked") {
        throw Failure(ExitCode::other_swarm,
                      "the local engine's swarm is locked (autolock); unlock it with "
                      "'docker swarm unlock' or run 'swarm-bootstrap rejoin'");
    }
    if (!s.active()) {
        return Membership::must_join;
    }

    // Active. A manager of its own swarm knows its cluster id; a worker does not, so ask the manager.
    if (!ctx.manager) {
        auto configured = expand_managers(ctx.managers, ctx.config.tls, ctx.services.resolve);
        bool ours =
            std::any_of(s.remote_managers.begin(), s.remote_managers.end(), [&](const RemoteManager& m) {
                return std::any_of(configured.begin(), configured.end(),
                                   [&](const Endpoint& ep) { return ep.host == host_of(m.addr); });
            });
        if (ours) {
            log.warn(
                "the local engine is active in a swarm whose managers include ours; no manager API answers, "
                "so "
                "membership cannot be confirmed");
            return Membership::member;
        }
        throw Failure(ExitCode::other_swarm,
                      "the local engine is already in a swarm whose managers are not the ones "
                      "given; run 'swarm-bootstrap rejoin' to leave it and join this one");
    }
    const auto& manager = *ctx.manager;
    if (!s.cluster_id.empty() && s.cluster_id != manager.info.swarm.cluster_id) {
        throw Failure(ExitCode::other_swarm,
                      "the local engine is a manager of another swarm (cluster " + s.cluster_id + ", not " +
                          manager.info.swarm.cluster_id +
                          "); run 'swarm-bootstrap rejoin' to leave it and join this one");
    }
    auto node = manager.api->node(s.node_id);
    if (node) {
        log.info("already a member: node {} ({}, {}) in cluster {}", node->id, node->role, node->state,
                 manager.info.swarm.cluster_id);
        ctx.result.node_id = node->id;
        return Membership::member;
    }
    if (node.error().kind != ApiErrorKind::not_found) {
        // A leader election, a manager that went away: ask again (another manager, if this one is gone).
        return undecided(ctx, ExitCode::manager_deadline,
                         "manager " + manager.api->address() + " could not say whether node " + s.node_id +
                             " is a member: " + node.error().describe());
    }
    auto configured = expand_managers(ctx.managers, ctx.config.tls, ctx.services.resolve);
    if (same_managers(*info, manager, configured)) {
        // The manager removed this node (node rm --force); the engine still believes it is a member.
        if (!leave_stale(
                ctx, "the manager no longer knows node " + s.node_id + ": it was removed from the swarm")) {
            return undecided(ctx, ExitCode::engine_deadline,
                             "the local engine " + ctx.services.local->address() +
                                 " did not answer while leaving the removed node's state");
        }
        return Membership::must_join;
    }
    throw Failure(ExitCode::other_swarm, "the local engine is already in another swarm (node " + s.node_id +
                                             " is unknown to manager " + manager.api->address() +
                                             "); run 'swarm-bootstrap rejoin' to leave it and join this one");
}

}  // namespace sb::phases
