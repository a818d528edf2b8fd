#pragma once

#include <stop_token>
#include <string>
#include <vector>

namespace sb {

// Parses the command line, runs the subcommand and returns the process exit status. The one place where
// Failure becomes an exit code and a one-line message.
int run_cli(const std::vector<std::string>& args, std::stop_source stop);

}  // namespace sb
