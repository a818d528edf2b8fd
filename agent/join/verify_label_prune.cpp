#include "agent/join/phases.hpp"
#include "agent/node/labels.hpp"
#include "agent/node/node_labels.hpp"
#include "agent/node/stale_nodes.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::phases {

namespace {

Labels wanted_labels(const JoinContext& ctx) {
    return agent_labels(ctx.local_info, ctx.local_version, ctx.config.labels);
}

}  // namespace

void verify(JoinContext& ctx) {
    auto& log = sb::log("verify");
    int attempt = 0;
    std::string last;
    bool local_active = false;
    for (;;) {
        ++attempt;
        // Once the local engine says active, only the manager's view is polled.
        if (!local_active) {
            auto info = ctx.services.local->info();
            if (info && info->swarm.active() && !info->swarm.node_id.empty()) {
                local_active = true;
                ctx.local_info = *info;
                ctx.result.node_id = info->swarm.node_id;
                if (!ctx.manager) {
                    log.info("the local engine is active as node {}; no manager API to confirm it",
                             info->swarm.node_id);
                    return;
                }
            } else {
                last = info ? "local swarm state " + info->swarm.local_state + " " + info->swarm.error
                            : "local engine: " + info.error().describe();
            }
        }
        if (local_active) {
            auto node = ctx.manager->api->node(ctx.result.node_id);
            if (node && !ctx.result.labelled) {
                // Labelled as soon as the manager knows the node, while it becomes Ready: whatever waits for
                // the node (a scheduler, a deployment script) sees it labelled the moment it is Ready. A
                // failure here is retried, with the backoff, by apply_labels.
                auto wanted = wanted_labels(ctx);
                if (ensure_labels(*ctx.manager->api, *node, wanted, ctx.config.dry_run)) {
                    ctx.result.labelled = true;
                    ctx.result.labels = wanted;
                }
            }
            if (node && node->state == "ready" &&
                (ctx.config.role == Role::worker || node->reachability == "reachable")) {
                ctx.result.role = node->role;
                log.info("node {} ({}) is {} on manager {}", node->id, node->hostname, node->state,
                         ctx.manager->api->address());
                return;
            }
            last = node ? "manager sees the node " + node->state +
                              (node->reachability.empty() ? "" : ", " + node->reachability)
                        : "manager: " + node.error().describe();
            if (!node && manager_failed(node.error())) {
                // The manager died mid-join (or lost its leader): the others are asked, as the wait does.
                fail_over(ctx, node.error());
                if (!ctx.manager) {
                    log.info("the local engine is active as node {}; no manager API to confirm it",
                             ctx.result.node_id);
                    return;
                }
                continue;
            }
        }
        if (ctx.deadline.expired()) {
            throw Failure(ExitCode::manager_deadline,
                          "the join was accepted but the node did not become ready within " +
                              format_duration(ctx.config.timeout) + " (" + last +
                              "); check the network between this node and the managers "
                              "(ports 2377, 7946, 4789)");
        }
        // A joined node is Ready within about a second: poll briskly (a GET /nodes/<id> costs the manager
        // little) rather than with the backoff, and say so only now and then.
        auto next = std::min(ctx.config.backoff_initial, Duration(100));
        if (attempt % 10 == 1) {
            log.info("waiting for the node to become ready: {}; {}", last, ctx.progress(attempt, next));
        } else {
            log.debug("waiting for the node to become ready: {}; {}", last, ctx.progress(attempt, next));
        }
        if (!ctx.pause(next)) {
            throw Stopped{};
        }
    }
}

void apply_labels(JoinContext& ctx) {
    auto& log = sb::log("label");
    if (ctx.result.labelled) {
        return;  // done while verify waited for the node to be Ready
    }
    Labels wanted = wanted_labels(ctx);
    ctx.result.labels = wanted;
    if (!ctx.manager) {
        log.warn(
            "no manager API answers, so node {} stays unlabelled for now; run 'swarm-bootstrap join' again "
            "(or use 'run') once a manager API is reachable",
            ctx.result.node_id);
        return;
    }
    if (ctx.result.node_id.empty()) {
        // A dry run that would join: there is no node yet.
        std::string list;
        for (const auto& [k, v] : wanted) {
            list += (list.empty() ? "" : ", ") + k + "=" + v;
        }
        log.info("dry run: would label the new node with {}", list);
        return;
    }
    int attempt = 0;
    for (;;) {
        ++attempt;
        auto result = ensure_labels(*ctx.manager->api, ctx.result.node_id, wanted, ctx.config.dry_run);
        if (result) {
            ctx.result.labelled = true;
            return;
        }
        if (ctx.deadline.expired()) {
            throw Failure(ExitCode::manager_deadline,
                          "could not label node " + ctx.result.node_id +
                              " before the deadline: " + result.error().describe());
        }
        if (manager_failed(result.error())) {
            fail_over(ctx, result.error());
            if (!ctx.manager) {
                log.warn("no manager API answers, so node {} stays unlabelled for now", ctx.result.node_id);
                return;
            }
            continue;
        }
        auto next = ctx.backoff.next();
        log.info("labelling node {} failed: {}; {}", ctx.result.node_id, result.error().describe(),
                 ctx.progress(attempt, next));
        if (!ctx.pause(next)) {
            throw Stopped{};
        }
    }
}

void prune_stale_nodes(JoinContext& ctx) {
    if (!ctx.manager || ctx.result.node_id.empty()) {
        return;
    }
    prune_stale_entries(*ctx.manager->api, ctx.result.node_id, ctx.local_info.name, ctx.config.dry_run);
}

}  // namespace sb::phases
