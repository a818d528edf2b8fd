#pragma once

// `swarm-bootstrap service status [--json]`: prints what the service manager reports about the service.

#include <string>

namespace sb::commands {

// Exit 0 only when the service is installed and running; 8 (ExitCode::not_member) otherwise.
int service_status(const std::string& name, bool json);

}  // namespace sb::commands
