#pragma once

#include "agent/join/join_context.hpp"

namespace sb {

// The whole one-shot join: preflight, wait-manager, membership, token + join, verify, label, prune.
// Returns what happened; throws Failure (with its exit code) or Stopped.
struct JoinPlan {
    bool leave_first = false;  // rejoin: leave (demoting a manager), join again, remove the old entry
};

JoinResult run_join(const Config& config, Services& services, JoinPlan plan = {});

}  // namespace sb
