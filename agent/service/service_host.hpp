#pragma once

// Running and registering `swarm-bootstrap run` as an OS service: a systemd unit (service_systemd.cpp) or a
// Windows service (service_host_windows.cpp, service_install_windows.cpp).

#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include <spdlog/common.h>

namespace sb::service {

// What the service body tells its supervisor.
class Supervisor {
  public:
    virtual ~Supervisor() = default;
    // The first join succeeded: systemd READY=1; Windows SERVICE_RUNNING is reported at start already.
    virtual void ready() = 0;
    // Called at least every interval/2 while healthy: systemd WATCHDOG=1.
    virtual void keepalive() = 0;
    // A short status line for `systemctl status` / the SCM.
    virtual void status(const std::string& text) = 0;
};

using ServiceBody = std::function<int(std::stop_token, Supervisor&)>;

// Runs `body` as the platform expects a service to: on Linux directly (SIGTERM/SIGINT already request `stop`;
// sd_notify when NOTIFY_SOCKET is set); on Windows through the service control dispatcher, whose stop control
// requests `stop` (and, when not started by the SCM, directly as a console program). Returns the exit code.
int host(const std::string& service_name, std::stop_source stop, ServiceBody body);

// The log output of a service: journald on Linux, the Windows Event Log. nullptr when unavailable.
spdlog::sink_ptr make_event_sink(const std::string& service_name);

// What replaces stderr when stderr is the service manager's log already: on Linux under systemd, the journal
// itself (lines keep their priority and fields). nullptr: stderr stays.
spdlog::sink_ptr make_console_sink(const std::string& service_name);

struct InstallOptions {
    std::string name = "swarm-bootstrap";
    std::filesystem::path executable;   // absolute path of swarm-bootstrap
    std::filesystem::path config_file;  // passed as --config
    std::filesystem::path root;         // Linux: write into this root (like systemctl --root), do not start
    std::vector<std::string> depends_on{"docker"};
    bool start = true;
    bool dry_run = false;
    bool purge = false;  // uninstall: also delete the configuration and state directories
};

void install(const InstallOptions& options);
void uninstall(const InstallOptions& options);

}  // namespace sb::service
