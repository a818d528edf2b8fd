#include "agent/leave/leave.hpp"

#include "agent/join/phases.hpp"
#include "agent/node/manager_probe.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::phases {

namespace {

// A manager is never force-left while others remain: that can cost the swarm its quorum. Demote it first
// (through its own API: it is a manager), wait until it no longer serves control requests, then leave
// plainly. Returns false when it is the last manager, which cannot be demoted.
bool demote_self(JoinContext& ctx, const std::string& node_id) {
    auto& log = sb::log("leave");
    auto& local = *ctx.services.local;
    bool demoted = false;
    for (int attempt = 0; attempt < 5 && !demoted; ++attempt) {
        auto node = local.node(node_id);
        if (!node) {
            throw Failure(ExitCode::internal,
                          "cannot read this manager's node entry to demote it: " + node.error().describe());
        }
        nlohmann::json spec = node->spec;
        spec["Role"] = "worker";
        auto updated = local.update_node(node_id, node->version, spec);
        if (updated) {
            demoted = true;
            continue;
        }
        if (updated.error().message.find("last manager") != std::string::npos) {
            return false;
        }
        if (updated.error().kind != ApiErrorKind::out_of_sequence) {
            throw Failure(ExitCode::internal,
                          "cannot demote this manager before leaving: " + updated.error().describe());
        }
    }
    if (!demoted) {
        throw Failure(
            ExitCode::internal,
            "cannot demote this manager before leaving: its node entry changed under every one of 5 "
            "updates (update out of sequence); try again");
    }
    log.info("demoted node {} to worker; waiting until it hands over", node_id);
    for (int i = 0; i < 60; ++i) {
        auto info = local.info();
        if (info && !info->swarm.control_available) {
            return true;
        }
        if (!ctx.services.clock->sleep_for(Duration(500), ctx.services.stop)) {
            throw Stopped{};
        }
    }
    throw Failure(ExitCode::internal,
                  "node " + node_id + " was demoted but still acts as a manager after 30s; try again");
}

// Every manager asked at once; the first listed that is ready, or none.
std::shared_ptr<EngineApi> first_ready_manager(JoinContext& ctx) {
    auto probes = probe_managers(
        expand_managers(ctx.managers, ctx.config.tls, ctx.services.resolve),
        [&](const Endpoint& ep) { return ctx.shared_manager_client(ep); }, ctx.services.spawn);
    for (const auto& p : probes) {
        if (p.ready) {
            return p.ready->api;
        }
    }
    return nullptr;
}

}  // namespace

std::string leave_local(JoinContext& ctx, bool force) {
    auto& log = sb::log("leave");
    auto& local = *ctx.services.local;
    ctx.local_info_fresh = false;
    auto info = local.info();
    if (!info) {
        throw Failure(ExitCode::engine_deadline, "the local engine at " + local.address() +
                                                     " does not answer: " + info.error().describe());
    }
    const auto& s = info->swarm;
    if (s.inactive()) {
        log.info("the local engine is not in a swarm; nothing to leave");
        return {};
    }
    std::string node_id = s.node_id;
    if (ctx.config.dry_run) {
        log.info("dry run: would {}leave the swarm (node {}, state {})",
                 s.control_available ? "demote this manager, then " : "", node_id, s.local_state);
        return node_id;
    }
    bool force_leave = false;
    if (s.control_available) {
        if (!force) {
            throw Failure(ExitCode::usage,
                          "this node is a swarm manager; leaving can cost the swarm its quorum. Run "
                          "'swarm-bootstrap leave --force': it demotes the node first, then leaves");
        }
        if (!demote_self(ctx, node_id)) {
            log.warn("node {} is the last manager: leaving erases the swarm", node_id);
            force_leave = true;
        }
    }
    auto left = local.leave(force_leave);
    if (!left && left.error().kind == ApiErrorKind::manager_must_force && force) {
        left = local.leave(true);
    }
    if (!left && left.error().kind != ApiErrorKind::not_in_swarm) {
        throw Failure(ExitCode::internal,
                      "the local engine could not leave the swarm: " + left.error().describe() +
                          (force ? "" : "; try 'swarm-bootstrap leave --force'"));
    }
    log.info("left the swarm (was node {})", node_id);
    return node_id;
}

void remove_nodes(JoinContext& ctx, const std::vector<std::string>& ids) {
    auto& log = sb::log("leave");
    std::shared_ptr<EngineApi> api = ctx.manager ? ctx.manager->api : first_ready_manager(ctx);
    for (const auto& id : ids) {
        if (id.empty() || id == ctx.result.node_id) {
            continue;
        }
        if (api == nullptr) {
            log.warn(
                "no manager answers, so the old entry of node {} stays; remove it later with 'docker node rm "
                "{}'",
                id, id);
            continue;
        }
        if (ctx.config.dry_run) {
            log.info("dry run: would remove node entry {} through {}", id, api->address());
            continue;
        }
        // The entry is still "ready" until the manager notices the heartbeat stopped (~12 s): force is needed
        // and safe, since this engine has already left.
        auto removed = api->remove_node(id, true);
        if (!removed && manager_failed(removed.error())) {
            // The manager went away since it answered: ask the others once.
            log.info("manager {} failed: {}; asking the other managers", api->address(),
                     removed.error().describe());
            ctx.manager.reset();
            api = first_ready_manager(ctx);
            if (api == nullptr) {
                log.warn(
                    "no manager answers, so the old entry of node {} stays; remove it later with 'docker "
                    "node rm {}'",
                    id, id);
                continue;
            }
            removed = api->remove_node(id, true);
        }
        if (removed) {
            log.info("removed the old node entry {} through {}", id, api->address());
        } else if (removed.error().kind == ApiErrorKind::not_found) {
            log.info("the old node entry {} is already gone", id);
        } else {
            log.warn("could not remove the old node entry {}: {}", id, removed.error().describe());
        }
    }
}

}  // namespace sb::phases
