#pragma once

// What differs between Linux and Windows, behind one interface. Each platform defines these in its own
// file: platform_linux.cpp, platform_windows.cpp.

#include <filesystem>
#include <memory>
#include <stop_token>
#include <string>

namespace sb::platform {

// unix:///var/run/docker.sock on Linux, npipe:////./pipe/docker_engine on Windows.
std::string default_docker_host();
// /etc/swarm-bootstrap/config.json, %ProgramData%\swarm-bootstrap\config.json.
std::filesystem::path default_config_path();
// /var/lib/swarm-bootstrap/state.json, %ProgramData%\swarm-bootstrap\state.json.
std::filesystem::path default_state_path();
// Where the lock lives: a file for flock on Linux; the name of a Global\ mutex on Windows.
std::string default_lock_name();
// The path of this executable, for service registration.
std::filesystem::path executable_path();
// This machine's host name (for pruning stale node entries).
std::string host_name();

// One agent per node. Held while the object lives; released by the OS if the process dies, so a stale lock
// from a crashed agent never blocks.
class InstanceLock {
  public:
    virtual ~InstanceLock() = default;
};

// nullptr when another process holds the lock. Throws Failure(internal) when the lock cannot be created.
std::unique_ptr<InstanceLock> try_lock_instance(const std::string& name);

// Requests `stop` on SIGINT/SIGTERM (Linux) or Ctrl-C/Ctrl-Break/console close (Windows).
void request_stop_on_signals(std::stop_source stop);

// Writes `content` to `path` so that readers see the old or the new file, never a torn one, even if the
// machine crashes: a temporary file in the same directory, flushed to disk, then renamed over.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace sb::platform
