#pragma once

// Linux: running systemctl, through Boost.Process with an argument vector (no shell).

#include <filesystem>
#include <string>
#include <vector>

#include "agent/service/service_host.hpp"

namespace sb::service::systemd {

struct Outcome {
    int code = 0;
    std::string last_line;
};

// Where systemctl is; Failure(usage) when it is not in PATH (no systemd here).
std::filesystem::path find_systemctl();

// "systemctl ARGS...", for messages.
std::string describe(const std::vector<std::string>& args);

// Runs systemctl with these arguments, logging its output line by line (or collecting it into `lines`); the
// exit code and last line.
Outcome systemctl(const std::vector<std::string>& args, std::vector<std::string>* lines = nullptr);

// systemctl that must succeed; otherwise Failure(internal) naming the command, its output and `what_to_do`.
void systemctl_or_fail(const std::vector<std::string>& args, const std::string& what_to_do);

// The leading systemctl arguments: --root=DIR when installing into a directory.
std::vector<std::string> with_root(const InstallOptions& options, std::vector<std::string> args);

// Live operations need systemd running as PID 1; --root works anywhere. Throws Failure(usage).
void require_running_systemd(const InstallOptions& options);

}  // namespace sb::service::systemd
