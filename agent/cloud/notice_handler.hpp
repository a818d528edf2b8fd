#pragma once

// What `run` does about a cloud's notice: the graceful exit before the VM goes (then the approval), a drain
// before a reboot (and `active` again afterwards), a log line for a Freeze. Each notice is acted on once,
// across restarts of the agent (the notice ledger beside the state file).

#include <atomic>
#include <filesystem>
#include <functional>
#include <set>
#include <stop_token>
#include <string>

#include "agent/cloud/watchers.hpp"
#include "agent/leave/graceful_exit.hpp"
#include "agent/state/notice_ledger.hpp"

namespace sb::cloud {

// The seams to the rest of the agent: production wires run_graceful_exit and a manager update; tests wire
// fakes that record what was asked.
struct NoticeActions {
    std::function<GracefulExitResult(const GracefulExitOptions&)> graceful_exit;
    // Sets this node's availability back to active (after the reboot a drain prepared for).
    std::function<sb::expected<void, std::string>()> reactivate;
    // The cloud withdrew a notice the node left for, and the VM is still here: healing may join again.
    std::function<void()> resume_healing;
};

struct NoticeTiming {
    // Kept free before NotBefore for what follows the drain: leave, entry removal, approval.
    Duration leave_margin{15'000};
    Duration min_drain{5000};  // the drain's wait never gets less, even when the notice came late
    // After leaving, how long the managers get to see the node down before its entry is removed with force
    // (the engine has left by then: force only skips the heartbeat's ~12 s). Inside leave_margin.
    Duration down_wait{8000};
    // The time a cloud gives when its notice names none: GCP preemption 30 s; AWS Auto Scaling's Terminated
    // (its lifecycle hook waits an hour by default) is given the spot notice's 2 minutes.
    Duration gcp_budget{30'000};
    Duration default_budget{120'000};
};

class NoticeHandler {
  public:
    NoticeHandler(CloudWatcher& watcher, NoticeActions actions,
                  std::function<WallClock::time_point()> wall_now, std::filesystem::path ledger_path,
                  NoticeTiming timing = {});

    // One look at the metadata service and whatever its answer asks for. Throws Stopped when stop is
    // requested during an exit.
    void step();

    // True while the node is leaving on purpose, or has left for a notice the cloud still shows: `run` must
    // neither heal nor join then. Set at construction from the ledger, so a restart does not rejoin.
    bool holds_node() const { return holds_.load(); }
    // The last look got no usable answer.
    bool last_look_failed() const { return !last_error_.empty(); }

  private:
    void act(const Notice& notice, NoticeRecord& record);
    void leave(const Notice& notice, NoticeRecord& record);
    void drain_for_reboot(const Notice& notice, NoticeRecord& record);
    void approve(const Notice& notice, NoticeRecord& record, const std::string& next_phase);
    Duration drain_deadline(const Notice& notice);
    GracefulExitOptions exit_options(bool drain, bool leave, Duration deadline) const;
    void update(NoticeRecord& record, std::string phase, std::string doing, std::string message = {});
    void settle(const std::set<std::string>& pending);

    CloudWatcher& watcher_;
    NoticeActions actions_;
    std::function<WallClock::time_point()> wall_now_;
    std::filesystem::path ledger_path_;
    NoticeTiming timing_;
    NoticeLedger ledger_;
    std::atomic<bool> holds_{false};
    bool answered_once_ = false;
    std::string last_error_;
};

}  // namespace sb::cloud
