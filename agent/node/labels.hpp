#pragma once

#include <string>

#include "common/engine_api.hpp"

namespace sb {

enum class LabelUpdate { unchanged, updated, would_update };

// Makes the node carry `wanted` (other labels stay): GET the node, merge into the whole Spec, POST with its
// Version.Index, and on "update out of sequence" read again and retry. Skips the update when nothing changes.
// Returns the API error when the manager refuses or keeps racing.
ApiResult<LabelUpdate> ensure_labels(EngineApi& manager, const std::string& node_id, const Labels& wanted,
                                     bool dry_run);
// The same, starting from the node as just read (the watch loop's one GET per interval): no second GET when
// nothing changes.
ApiResult<LabelUpdate> ensure_labels(EngineApi& manager, const Node& current, const Labels& wanted,
                                     bool dry_run);

}  // namespace sb
