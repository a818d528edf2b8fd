#pragma once

// Raft's arithmetic for the managers of a swarm: a change to the managers is safe only when the managers
// still reachable afterwards are a majority of the managers that remain. The quorum guard of `leave`/`drain`
// and the reaper on the managers both ask here, so they can never disagree.

#include <string>
#include <vector>

#include "common/engine_types.hpp"

namespace sb {

struct ManagerCount {
    int members = 0;    // managers in the raft cluster (nodes with role manager), reachable or not
    int reachable = 0;  // of those, the ones whose ManagerStatus.Reachability is "reachable"
};

// Counts the managers in a `GET /nodes` answer.
ManagerCount count_managers(const std::vector<Node>& nodes);

struct QuorumVerdict {
    bool keeps_quorum = false;
    std::string reason;  // "2 of 2 remaining managers reachable, 2 needed" or why not
};

// Whether removing one manager (demote, leave, or remove an entry) keeps a majority: `removed_reachable`
// tells whether the one removed is itself reachable (this node leaving) or already down (a reaped entry).
// Removing the last manager never keeps quorum.
QuorumVerdict quorum_after_removing(ManagerCount now, bool removed_reachable);

}  // namespace sb
