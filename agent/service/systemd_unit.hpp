#pragma once

// Linux: the systemd unit `service install` writes, and where it and the paths in it live (under --root or
// on the running system).

#include <filesystem>
#include <string>

#include "agent/service/service_host.hpp"

namespace sb::service::systemd {

// Throws Failure(usage) unless `name` is a valid unit name.
void check_name(const std::string& name);

// Whether the unit is written into a directory (--root) rather than onto the running system.
bool has_root(const InstallOptions& options);

// Where `path`, as the running system will see it, lives now: under the root, or the path itself.
std::filesystem::path host_path(const InstallOptions& options, const std::filesystem::path& path);

// Where the unit file goes: /etc/systemd/system/NAME.service (under the root with --root).
std::filesystem::path unit_path(const InstallOptions& options);

// The unit's text: installer-linux/swarm-bootstrap.service with the dependencies and ExecStart filled in.
std::string render_unit(const InstallOptions& options);

}  // namespace sb::service::systemd
