#include "agent/leave/graceful_exit.hpp"

#include "agent/join/phases.hpp"
#include "agent/leave/drain.hpp"
#include "agent/leave/leave.hpp"
#include "agent/leave/leaving_marker.hpp"
#include "agent/leave/quorum.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb {

namespace {

void add_managers(JoinContext& ctx) {
    for (const auto& m : ctx.config.managers) {
        if (auto spec = parse_manager_spec(m)) {
            ctx.managers.push_back(*spec);
        }
    }
    if (ctx.managers.empty()) {
        throw Failure(ExitCode::usage,
                      "a drain goes through the managers, and none is configured; add --manager ADDR");
    }
}

EngineInfo local_info(Services& services) {
    auto info = services.local->info();
    if (!info) {
        throw Failure(ExitCode::engine_deadline, "the local engine at " + services.local->address() +
                                                     " does not answer: " + info.error().describe());
    }
    return *info;
}

// The quorum guard: refuses (exit 10) to take a manager out when the managers reachable afterwards would not
// be a majority of those that remain, or when it is the last one; --force overrides and says what it risks.
// Returns the managers counted.
ManagerCount guard_quorum(EngineApi& manager, const std::string& node_id, bool force) {
    auto& log = sb::log("quorum");
    auto nodes = manager.nodes();
    if (!nodes) {
        throw Failure(ExitCode::manager_deadline,
                      "manager " + manager.address() +
                          " cannot list the managers to check the quorum: " + nodes.error().describe());
    }
    auto count = count_managers(*nodes);
    auto verdict = quorum_after_removing(count, true);
    if (verdict.keeps_quorum) {
        log.info("taking manager {} out keeps the quorum: {}", node_id, verdict.reason);
        return count;
    }
    const std::string risk =
        count.members <= 1
            ? "the swarm's state (services, secrets, configs) is erased with it"
            : "the remaining managers cannot elect a leader, and the swarm cannot be changed until the down "
              "managers come back or it is rebuilt with 'docker swarm init --force-new-cluster'";
    if (!force) {
        throw Failure(ExitCode::quorum_refused,
                      "refusing to take manager " + node_id + " out of the swarm: " + verdict.reason +
                          "; bring the down managers back (or remove their entries) first, or use --force, "
                          "with which " +
                          risk);
    }
    log.warn("--force: taking manager {} out although {}; {}", node_id, verdict.reason, risk);
    return count;
}

// Removes the node's own entry through a manager once the managers see it down, bounded by `down_wait`
// (then with force: the engine has left, so force only skips the heartbeat's wait).
bool remove_own_entry(const Config& config, Services& services, const std::string& node_id,
                      Duration down_wait, std::string& via) {
    auto& log = sb::log("remove");
    JoinContext ctx(config, services);
    add_managers(ctx);
    phases::wait_manager(ctx);
    auto& api = *ctx.manager->api;
    via = ctx.result.manager;
    Deadline until(*services.clock, down_wait);
    bool force = false;
    for (;;) {
        auto node = api.node(node_id);
        if (!node && node.error().kind == ApiErrorKind::not_found) {
            log.info("node {} has no entry left on {}", node_id, via);
            return true;
        }
        if (node && node->state == "down") {
            break;
        }
        if (until.expired()) {
            log.info(
                "the managers do not see node {} down after {}; removing its entry with force (its engine "
                "has left the swarm)",
                node_id, format_duration(down_wait));
            force = true;
            break;
        }
        if (!services.clock->sleep_for(std::min(Duration(1000), until.remaining()), services.stop)) {
            throw Stopped{};
        }
    }
    auto removed = api.remove_node(node_id, force);
    if (!removed && removed.error().kind != ApiErrorKind::not_found) {
        throw Failure(ExitCode::manager_deadline, "left the swarm, but manager " + via +
                                                      " did not remove node " + node_id +
                                                      "'s entry: " + removed.error().describe() +
                                                      "; remove it with 'docker node rm " + node_id + "'");
    }
    log.info("removed node {}'s entry through {}", node_id, via);
    return true;
}

}  // namespace

GracefulExitResult run_graceful_exit(const Config& config, Services& services,
                                     const GracefulExitOptions& options) {
    auto& log = sb::log(options.leave ? "leave" : "drain");
    GracefulExitResult result;
    JoinContext ctx(config, services);
    add_managers(ctx);

    auto info = local_info(services);
    if (info.swarm.inactive()) {
        if (!options.leave) {
            throw Failure(ExitCode::not_member, "this node is not in a swarm: there is nothing to drain");
        }
        log.info("the local engine is not in a swarm; nothing to drain or leave");
        return result;
    }
    result.node_id = info.swarm.node_id;
    const bool manager_node = info.swarm.control_available;

    phases::wait_manager(ctx);
    auto& manager = *ctx.manager->api;
    result.manager = ctx.result.manager;

    bool remove_entry = options.remove_entry;
    if (options.leave && manager_node) {
        auto count = guard_quorum(manager, result.node_id, options.force);
        if (count.members <= 1) {
            remove_entry = false;  // the swarm ends with this node: no manager is left to remove it
        }
    }
    // From here on the node is leaving on purpose: `run` must not heal it back (the guard's refusal changes
    // nothing, so it writes no marker).
    if (!config.dry_run) {
        mark_leaving(config, options.leave ? (options.drain ? "leave --drain" : "leave") : "drain");
    }

    if (options.drain) {
        Duration deadline = options.deadline.count() > 0 ? options.deadline : config.timeout;
        phases::drain_and_wait(manager, services, result.node_id, deadline, options.poll, config.dry_run);
        result.drained = !config.dry_run;
    }
    if (!options.leave) {
        return result;
    }

    auto left_id = phases::leave_local(ctx, /*force=*/true);  // a manager is demoted first
    if (config.dry_run || left_id.empty()) {
        return result;
    }
    result.demoted = manager_node;
    result.left = true;
    if (remove_entry) {
        result.entry_removed =
            remove_own_entry(config, services, result.node_id, options.down_wait, result.manager);
    }
    log.info("node {} is out of the swarm{}", result.node_id,
             result.entry_removed ? " and its entry is removed" : "");
    return result;
}

void run_undrain(const Config& config, Services& services) {
    JoinContext ctx(config, services);
    add_managers(ctx);
    auto info = local_info(services);
    if (info.swarm.inactive()) {
        if (!config.dry_run && clear_leaving(config)) {
            sb::log("drain").info("the node is not in a swarm; the installed service will join it again");
        } else {
            sb::log("drain").info("the node is not in a swarm; nothing to undo");
        }
        return;
    }
    phases::wait_manager(ctx);
    phases::undrain(*ctx.manager->api, info.swarm.node_id, config.dry_run);
    if (!config.dry_run && clear_leaving(config)) {
        sb::log("drain").info("the installed service heals this node again");
    }
}

}  // namespace sb
