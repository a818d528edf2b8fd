#pragma once

// What the subcommands share: the one-agent lock, recording outcomes in the state file, the manager list.

#include <memory>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/config/config_checks.hpp"
#include "agent/join/join_context.hpp"
#include "agent/platform/platform.hpp"

namespace sb::commands {

// Exit 7 when another agent holds the lock.
std::unique_ptr<platform::InstanceLock> lock_or_fail(const Config& config);

// Records an outcome (`result`) or a failure; a state file that cannot be written is worth a warning, not a
// failed command.
void record(const Config& config, const std::string& command, const std::string& started,
            const JoinResult* result, const std::string& failure, int code);

// The configured managers, expanded (ranges, DNS) once.
std::vector<Endpoint> manager_endpoints(const Config& config);

}  // namespace sb::commands
