#pragma once

// Where the docker CLI looks for its configuration directory (~/.docker): defined per platform in
// platform_linux.cpp and platform_windows.cpp.

#include <string>

namespace sb::platform {

// The environment variable naming the user's home directory: HOME on Linux, USERPROFILE on Windows.
std::string home_variable();

}  // namespace sb::platform
