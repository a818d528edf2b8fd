#pragma once

// The join flow as named phases over one JoinContext, in the order join_flow.cpp runs them. Each phase
// logs under its own name and throws Failure for what ends the command.

#include <memory>
#include <string>
#include <vector>

#include "agent/join/join_context.hpp"

namespace sb::phases {

// Configuration checks, the token file, and waiting for the local engine (exit 5 at the deadline).
void preflight(JoinContext& ctx);

// Waits until a manager's API answers as an active swarm manager (exit 3 at the deadline). With a token
// file, a manager's swarm port accepting connections is enough.
void wait_manager(JoinContext& ctx);

// Whether an error says the manager in use is gone or cannot serve now (no answer, no leader, no longer a
// manager, rejects us): the step then fails over to another manager.
bool manager_failed(const ApiError& e);

// The manager in use failed: waits for another the way wait-manager does (the first ready wins; exit 3 at the
// deadline). The failed one takes part again and may win once it answers.
void fail_over(JoinContext& ctx, const ApiError& why);

// The named checks that matter before a join (check/), against the ready manager: started in the background
// as soon as wait-manager found it, so they run while the membership check does; `finish` waits for them,
// logs each warning once per process, and throws Failure(check_failed) naming the checks that found an
// error (unless --ignore-preflight-errors covers them). Nothing runs without Services::check_probes.
struct PendingChecks;
std::shared_ptr<PendingChecks> start_checks(JoinContext& ctx, const std::vector<std::string>& own_node_ids);
void finish_checks(JoinContext& ctx, const std::shared_ptr<PendingChecks>& pending);

enum class Membership { member, must_join, undecided };

// Decides from the local /info and the manager's view whether this node is already a member. Leaves a
// stale pending/error state or a removed node's leftover state; exit 6 for another swarm. Undecided when a
// peer cannot say for a moment (the local engine does not answer, the manager has no leader):
// `ctx.undecided` holds what the join ends with if that lasts until the deadline; run_join asks again.
Membership check_membership(JoinContext& ctx);

// Joins through one manager address at a time whose swarm port accepts. Returns false when no manager
// took the join this round (retry after a pause); exit 4 for a rejected token or CA mismatch.
bool join_swarm(JoinContext& ctx);

// Waits until the local engine is active and a manager sees the node ready.
void verify(JoinContext& ctx);

// Merges this agent's labels into the node's whole Spec; retries "update out of sequence".
void apply_labels(JoinContext& ctx);

// Removes `down` nodes that carry this node's hostname (never its own id).
void prune_stale_nodes(JoinContext& ctx);

}  // namespace sb::phases
