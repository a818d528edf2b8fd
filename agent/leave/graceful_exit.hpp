#pragma once

// The graceful exit, the join's mirror: drain (availability `drain` through a manager, then wait until this
// node's tasks are shut down and their services are back to their replica counts elsewhere) → demote
// (managers only, under the quorum guard) → leave → remove the node's own entry once the managers see it
// down. The `drain` and `leave --drain` commands run it, and so does `run` on a cloud's termination notice.

#include <optional>
#include <string>

#include "agent/app/services.hpp"
#include "agent/config/config.hpp"
#include "common/duration.hpp"

namespace sb {

struct GracefulExitOptions {
    bool drain = true;         // drain and wait before leaving
    bool leave = true;         // false: `drain` alone (stay a member, availability drain)
    bool remove_entry = true;  // remove this node's entry through a manager after leaving
    bool force = false;        // override the quorum guard (and say what that risks)
    Duration deadline{0};      // for the drain's wait; 0: the configured timeout
    Duration poll{1000};       // how often the drain's wait asks the manager
    // How long to wait for the managers to see the node down before its entry is removed with force (the
    // engine has left by then, so force only skips the ~12 s heartbeat).
    Duration down_wait{30'000};
};

struct GracefulExitResult {
    std::string node_id;
    bool drained = false;  // every task that ran here is shut down and replaced elsewhere
    bool demoted = false;
    bool left = false;
    bool entry_removed = false;
    std::string manager;  // the manager API the work went through
};

// Throws Failure: exit 9 when the drain's deadline passes with tasks still here, 10 when the quorum guard
// refuses, 3 when no manager answers before the deadline; Stopped when stop is requested.
// It writes the leaving marker (agent/leave/leaving_marker.hpp) first, so `run` does not heal the node back.
GracefulExitResult run_graceful_exit(const Config& config, Services& services,
                                     const GracefulExitOptions& options);

// `drain --undo`: availability back to `active` through a manager, and the leaving marker removed so that
// `run` heals again.
void run_undrain(const Config& config, Services& services);

}  // namespace sb
