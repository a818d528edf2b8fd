#pragma once

// One function per subcommand. Each returns the process exit code for success and throws Failure for the
// rest; cli.cpp parses the arguments, calls one of these and turns Failure into the exit status.

#include <stop_token>

#include "agent/config.hpp"

namespace sb::commands {

int join(const Config& config, std::stop_token stop);
int version();

}  // namespace sb::commands
