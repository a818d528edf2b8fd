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

class CloudWatch {
  public:
    // Nothing is started (and nullptr returned) when the cloud is none.
    static std::unique_ptr<CloudWatch> start(const Config& config, std::stop_token stop);
    ~CloudWatch();
    CloudWatch(const CloudWatch&) = delete;
    CloudWatch& operator=(const CloudWatch&) = delete;

  private:
    CloudWatch() = default;
    std::jthread thread_;
    std::unique_ptr<std::stop_callback<std::function<void()>>> on_stop_;
};

}  // namespace sb::cloud
