#pragma once

// `run`'s cloud watch: which cloud (--cloud, auto from SMBIOS without a request), its watcher on a thread of
// its own, and the notice handler wired to the real graceful exit. Healing stays paused while the node leaves
// on purpose through the graceful exit's leaving marker (agent/leave/leaving_marker.hpp), which `run` reads
// before every heal.

#include <functional>
#include <memory>
#include <stop_token>
#include <thread>

#include "agent/cloud/notice_handler.hpp"
#include "agent/config/config.hpp"

namespace sb::cloud {

// --cloud as configured, `auto` resolved from the SMBIOS strings (never a network request).
CloudKind resolve_cloud(const Config& config);

// The real graceful exit for `run` (agent/leave/graceful_exit.hpp), over Services of the watch's thread.
using GracefulExitFn =
    std::function<GracefulExitResult(const Config&, Services&, const GracefulExitOptions&)>;
// Back to work after a reboot: availability active, healing resumed.
using ReactivateFn = std::function<sb::expected<void, std::string>(const Config&, Services&)>;

class CloudWatch {
  public:
    // Nothing is started (and nullptr returned) when the cloud is none.
    static std::unique_ptr<CloudWatch> start(const Config& config, std::stop_token stop, GracefulExitFn exit,
                                             ReactivateFn reactivate);
    ~CloudWatch();
    CloudWatch(const CloudWatch&) = delete;
    CloudWatch& operator=(const CloudWatch&) = delete;

  private:
    CloudWatch() = default;
    std::jthread thread_;
    std::unique_ptr<std::stop_callback<std::function<void()>>> on_stop_;
};

// Sets this node's availability back to active through a manager (after a reboot the agent drained for).
sb::expected<void, std::string> set_node_active(const Config& config, Services& services);

}  // namespace sb::cloud
