#pragma once

#include <string>

#include "common/engine_api.hpp"

namespace sb {

enum class AvailabilityUpdate { unchanged, updated, would_update };

// Sets the node's availability (active, pause, drain) as labelling sets labels: GET the node, change the
// whole Spec, POST it with its Version.Index, and on "update out of sequence" read again and retry.
ApiResult<AvailabilityUpdate> ensure_availability(EngineApi& manager, const std::string& node_id,
                                                  const std::string& availability, bool dry_run);

}  // namespace sb
