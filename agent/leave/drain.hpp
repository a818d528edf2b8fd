#pragma once

// The drain phase: availability `drain` through a manager, then a wait until every task that ran here is shut
// down and every replicated service that had a task here runs its replica count elsewhere (Running, not just
// scheduled). Global services stay where they are and are not waited for.

#include <set>
#include <string>
#include <vector>

#include "agent/app/services.hpp"
#include "common/duration.hpp"
#include "common/engine_api.hpp"

namespace sb::phases {

// One look at how far the drain has come.
struct DrainLook {
    bool done = false;
    int tasks_here = 0;              // tasks of non-global services still on this node, not yet shut down
    std::vector<std::string> lines;  // "web: 3/4 running elsewhere, 1 task still here", per service not back
};

// Looks at the node's tasks and at the services in `watched` (services that had a task here; ones found on
// the node now are added). Two GET /tasks and one GET /services.
ApiResult<DrainLook> look_at_drain(EngineApi& manager, const std::string& node_id,
                                   std::set<std::string>& watched);

// Sets the node to `drain` and waits, polling every `poll`, until the drain is done. Throws Failure: exit 9
// when `deadline` passes first (naming what is still moving), exit 3 when the manager stops answering.
void drain_and_wait(EngineApi& manager, Services& services, const std::string& node_id, Duration deadline,
                    Duration poll, bool dry_run);

// Sets the node back to `active`.
void undrain(EngineApi& manager, const std::string& node_id, bool dry_run);

}  // namespace sb::phases
