#include "agent/leave/quorum.hpp"

#include <algorithm>

namespace sb {

ManagerCount count_managers(const std::vector<Node>& nodes) {
    ManagerCount c;
    for (const auto& n : nodes) {
        if (n.role != "manager") {
            continue;
        }
        ++c.members;
        if (n.reachability == "reachable") {
            ++c.reachable;
        }
    }
    return c;
}

QuorumVerdict quorum_after_removing(ManagerCount now, bool removed_reachable) {
    int remaining = now.members - 1;
    if (remaining <= 0) {
        return {false, "this is the last manager of the swarm; without it the swarm's state is lost"};
    }
    int reachable_after = std::max(0, now.reachable - (removed_reachable ? 1 : 0));
    int needed = remaining / 2 + 1;
    std::string counts = std::to_string(reachable_after) + " of " + std::to_string(remaining) +
                         " remaining managers reachable, " + std::to_string(needed) + " needed for a quorum";
    return {reachable_after >= needed, counts};
}

}  // namespace sb
