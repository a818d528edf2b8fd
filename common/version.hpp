#pragma once

// SB_VERSION and SB_PLATFORM come from CMake.
#ifndef SB_VERSION
#define SB_VERSION "0.0.0-dev"
#endif

namespace sb {

// Engine API versions this agent speaks. 1.24 is the first with the swarm shapes we read; newer engines
// are asked for at most api_version_max so their answers keep the shape we know.
inline constexpr const char* api_version_min = "1.24";
inline constexpr const char* api_version_max = "1.45";

}  // namespace sb
