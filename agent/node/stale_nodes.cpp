#include "agent/node/stale_nodes.hpp"

#include "common/logging.hpp"

namespace sb {

int prune_stale_entries(EngineApi& manager, const std::string& own_id, const std::string& hostname,
                        bool dry_run) {
    auto& log = sb::log("prune");
    if (hostname.empty()) {
        return 0;
    }
    // Only the entries with this hostname, not the whole swarm: every agent of a herd asks this every
    // interval.
    auto nodes = manager.nodes_named(hostname);
    if (!nodes) {
        log.warn("cannot list nodes to prune: {}", nodes.error().describe());
        return 0;
    }
    int removed_count = 0;
    for (const auto& n : *nodes) {
        if (n.id == own_id || n.hostname != hostname || n.state != "down") {
            continue;
        }
        if (dry_run) {
            log.info("dry run: would remove stale node {} ({}, down)", n.id, n.hostname);
            ++removed_count;
            continue;
        }
        if (n.role == "manager") {
            nlohmann::json spec = n.spec;
            spec["Role"] = "worker";
            if (auto demoted = manager.update_node(n.id, n.version, spec); !demoted) {
                log.warn("cannot demote stale manager entry {}: {}", n.id, demoted.error().describe());
                continue;
            }
        }
        if (auto removed = manager.remove_node(n.id, false); removed) {
            log.info("removed stale node {} ({}, down)", n.id, n.hostname);
            ++removed_count;
        } else {
            log.warn("cannot remove stale node {}: {}", n.id, removed.error().describe());
        }
    }
    return removed_count;
}

}  // namespace sb
