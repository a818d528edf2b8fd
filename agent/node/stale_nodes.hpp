#pragma once

#include <string>

#include "common/engine_api.hpp"

namespace sb {

// Removes `down` node entries that carry `hostname` — the twins a reimaged or rejoined node leaves behind —
// but never `own_id`. The manager is asked for the entries of that hostname only, not the whole swarm. A down
// manager entry stays a raft member, so it is demoted before removal. Returns how many entries were removed
// (or would be, in a dry run).
int prune_stale_entries(EngineApi& manager, const std::string& own_id, const std::string& hostname,
                        bool dry_run);

}  // namespace sb
