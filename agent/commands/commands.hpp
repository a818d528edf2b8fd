#pragma once

// One function per subcommand. Each returns the process exit code and throws Failure for what ends it early;
// its setup_<name>() (command_line.hpp), in the same file, binds its options and calls it; run_cli
// (agent/app/cli.cpp) turns Failure into the exit status.

#include <stop_token>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/config/config.hpp"
#include "agent/service/service_host.hpp"
#include "common/duration.hpp"

namespace sb::commands {

int join(const Config& config, std::stop_token stop);
int rejoin(const Config& config, std::stop_token stop);
int leave(const Config& config, bool force, bool remove_node, std::stop_token stop);
// `drain [--deadline D] [--undo]` and `leave --drain [--deadline D] [--force]`: they work beside the
// installed service (see agent/leave/leaving_marker.hpp). `deadline` 0: the configured timeout.
int drain(const Config& config, Duration deadline, bool undo, std::stop_token stop);
int leave_drained(const Config& config, Duration deadline, bool force, std::stop_token stop);
int status(const Config& config, bool json);
// Runs every check; exit 11 when one finds an error that --ignore-preflight-errors does not cover.
int check(const Config& config, bool json);
int run(const Config& config, std::stop_source stop);
// `settings`: configuration keys given on the command line, written as the service's config file when not
// empty.
int service_install(const nlohmann::json& settings, service::InstallOptions options);
int service_uninstall(service::InstallOptions options);
int version();

}  // namespace sb::commands
