#include "agent/join/join_flow.hpp"

#include <algorithm>

#include "agent/config/manager_address.hpp"
#include "agent/join/phases.hpp"
#include "agent/leave/leave.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb {

namespace {

// Moves the --manager entries that expand to AUTHORITY (HOST:PORT) to the back of the list.
void demote_manager(JoinContext& ctx, const std::string& authority) {
    ctx.took_no_join.insert(authority);
    std::stable_partition(ctx.managers.begin(), ctx.managers.end(), [&](const ManagerSpec& spec) {
        for (const auto& ep : expand_managers({spec}, ctx.config.tls, ctx.services.resolve)) {
            if (ep.authority() == authority) {
                return false;
            }
        }
        return true;
    });
}

}  // namespace

JoinResult run_join(const Config& config, Services& services, JoinPlan plan) {
    JoinContext ctx(config, services);
    phases::preflight(ctx);
    if (plan.leave_first) {
        ctx.old_entries.push_back(phases::leave_local(ctx, true));
    }

    bool member = false;
    int round = 0;
    for (;;) {
        ++round;
        ctx.backoff.reset();
        phases::wait_manager(ctx);
        // A node that looks like a member (the usual heal) is rarely joined: its checks wait until it is.
        auto checks = ctx.local_info.swarm.active() ? nullptr : phases::start_checks(ctx, ctx.old_entries);
        auto membership = phases::check_membership(ctx);
        if (membership == phases::Membership::member) {
            member = true;
            break;
        }
        if (membership == phases::Membership::undecided) {
            // A peer that cannot say for a moment (no leader, the local engine busy): ask again. At the
            // deadline, the join ends with what kept it undecided.
            auto next = ctx.backoff.next();
            if (!ctx.deadline.expired()) {
                log("membership").info("{}; {}", ctx.undecided->what(), ctx.progress(round, next));
            }
            if (!ctx.pause(next)) {
                throw Stopped{};
            }
            if (ctx.deadline.expired()) {
                throw Failure(ctx.undecided->code(), std::string(ctx.undecided->what()) + " (for " +
                                                         format_duration(config.timeout) + ")");
            }
            ctx.manager.reset();
            ctx.swarm_ports_open.clear();
            continue;
        }
        if (!checks) {
            checks = phases::start_checks(ctx, ctx.old_entries);
        }
        phases::finish_checks(ctx, checks);
        if (phases::join_swarm(ctx)) {
            break;
        }
        // No manager took the join: wait for the managers again, which re-reads their lists.
        if (ctx.deadline.expired()) {
            throw Failure(ExitCode::manager_deadline,
                          "no manager accepted the join within " + format_duration(config.timeout) +
                              "; check that this node reaches the managers' swarm port 2377");
        }
        auto next = ctx.backoff.next();
        log("join").info("no manager took the join; {}", ctx.progress(round, next));
        if (!ctx.pause(next)) {
            throw Stopped{};
        }
        ctx.manager.reset();
        ctx.swarm_ports_open.clear();
        // The manager that won this round could not take the join (no token, its RemoteManagers unreachable):
        // ask the others first next time, so that one bad manager listed first cannot hold the join forever.
        demote_manager(ctx, ctx.result.manager);
    }
    ctx.result.attempts = round;
    ctx.result.local_version = ctx.local_version;
    if (config.dry_run && !member) {
        ctx.result.outcome = JoinOutcome::dry_run;
        phases::apply_labels(ctx);
        return ctx.result;
    }
    ctx.result.outcome = member ? JoinOutcome::already_member
                                : (ctx.left_stale_state ? JoinOutcome::rejoined : JoinOutcome::joined);
    phases::verify(ctx);
    phases::apply_labels(ctx);
    if (!ctx.old_entries.empty()) {
        phases::remove_nodes(ctx, ctx.old_entries);
        if (ctx.result.outcome == JoinOutcome::joined) {
            ctx.result.outcome = JoinOutcome::rejoined;
        }
    }
    if (config.prune_stale_nodes) {
        phases::prune_stale_nodes(ctx);
    }
    if (ctx.config.dry_run) {
        ctx.result.outcome = JoinOutcome::dry_run;
    }
    log("join").info("done: {} as node {} in cluster {}", to_string(ctx.result.outcome), ctx.result.node_id,
                     ctx.result.cluster_id.empty() ? "(unknown)" : ctx.result.cluster_id);
    return ctx.result;
}

}  // namespace sb
