#pragma once

// "This node is leaving on purpose": a small file beside the state file (<state file>.leaving) that `drain`
// and `leave --drain` write before they change anything, and that `run` reads before every heal. While it
// exists the installed service does not rejoin or relabel the node, so a by-hand drain or leave can run while
// the service holds the lock. `drain --undo` removes it, and the service heals again on its next check.

#include <optional>
#include <string>

#include "agent/config/config.hpp"

namespace sb {

std::filesystem::path leaving_marker_path(const Config& config);

// Writes the marker naming the command; a marker that cannot be written is an error (exit 1): without it the
// service could rejoin the node being taken out.
void mark_leaving(const Config& config, const std::string& command);

// "leave --drain since 2026-12-04T19:10:00Z" when the marker exists.
std::optional<std::string> leaving_reason(const Config& config);

// Removes the marker; true when there was one.
bool clear_leaving(const Config& config);

}  // namespace sb
