#pragma once

#include <string>

#include "common/engine_types.hpp"

namespace sb {

// The labels every node gets: os (linux/windows), os.version, arch, and on Windows os.build, because Windows
// containers in process isolation must match the host's build.
Labels platform_labels(const EngineInfo& info, const VersionInfo& version);

// The labels this agent owns on the node: the platform's, then the configured ones (which win).
Labels wanted_labels(const EngineInfo& info, const VersionInfo& version, const Labels& configured);

// The Windows build number (17763, 20348) from an engine's /info: KernelVersion "10.0 17763
// (17763.1.amd64fre...)", or OperatingSystem "... (OS Build 17763.1879)". Empty when none is found.
std::string windows_build(const EngineInfo& info);

}  // namespace sb
