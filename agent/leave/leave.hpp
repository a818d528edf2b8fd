#pragma once

// The way out of a swarm: leave the local engine (a manager demoted first) and remove node entries through a
// manager. `rejoin` and `leave` use these; the join's context carries the managers and clients they need.

#include <string>
#include <vector>

#include "agent/join/join_context.hpp"

namespace sb::phases {

// Leaves the swarm on the local engine; a manager is demoted first and needs `force`. Returns the node id it
// had ("" when it was not in a swarm).
std::string leave_local(JoinContext& ctx, bool force);

// Removes node entries (never this node's current id) through a manager that answers.
void remove_nodes(JoinContext& ctx, const std::vector<std::string>& ids);

}  // namespace sb::phases
