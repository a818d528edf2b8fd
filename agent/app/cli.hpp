#pragma once

#include <stop_token>
#include <string>
#include <vector>

#include "agent/config/config.hpp"

namespace sb {

// Parses the command line, runs the subcommand and returns the process exit status. The one place where
// Failure becomes an exit code and a one-line message. `defaults`: the machine's environment and default
// paths (tests give their own, so that they never touch the machine's configuration, state or lock).
int run_cli(const std::vector<std::string>& args, std::stop_source stop,
            const MachineDefaults& defaults = machine_defaults());

}  // namespace sb
