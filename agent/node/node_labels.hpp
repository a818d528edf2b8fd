#pragma once

#include <string>
#include <string_view>

#include "common/engine_types.hpp"

namespace sb {

// The labels every node gets: os (linux/windows), os.version, arch, and on Windows os.build, because Windows
// containers in process isolation must match the host's build.
Labels platform_labels(const EngineInfo& info, const VersionInfo& version);

// The mark on every node this agent joined: the reaper on the managers (run --reap-down-after) removes only
// nodes that carry it, never one that someone else joined. Outside Docker's reserved namespaces.
inline constexpr std::string_view joined_label = "swarm-bootstrap.joined";
inline constexpr std::string_view joined_label_value = "true";

// What the agent keeps on its node: the platform labels, the configured ones over them, and the joined mark.
Labels agent_labels(const EngineInfo& info, const VersionInfo& version, const Labels& configured);

// The Windows build number (17763, 20348) from an engine's /info: KernelVersion "10.0 17763
// (17763.1.amd64fre...)", or OperatingSystem "... (OS Build 17763.1879)". Empty when none is found.
std::string windows_build(const EngineInfo& info);

}  // namespace sb
