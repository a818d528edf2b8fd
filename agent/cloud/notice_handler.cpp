#include "agent/cloud/notice_handler.hpp"

#include "agent/cloud/metadata_answers.hpp"
#include "agent/state/state_file.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::cloud {

namespace {

spdlog::logger& logger() {
    return sb::log("cloud");
}

bool finished(const std::string& phase) {
    return phase == "approved" || phase == "done" || phase == "returned" || phase == "failed" ||
           phase == "logged";
}

std::string seconds_text(Duration d) {
    return format_duration(d);
}

}  // namespace

NoticeHandler::NoticeHandler(CloudWatcher& watcher, NoticeActions actions,
                             std::function<WallClock::time_point()> wall_now,
                             std::filesystem::path ledger_path, NoticeTiming timing)
    : watcher_(watcher),
      actions_(std::move(actions)),
      wall_now_(std::move(wall_now)),
      ledger_path_(std::move(ledger_path)),
      timing_(timing),
      ledger_(read_notice_ledger(ledger_path_)) {
    // A node that left (or was leaving) for a notice stays out until the cloud no longer shows it.
    for (const auto& r : ledger_.records) {
        if (r.cloud == to_string(watcher_.cloud()) && r.action == "leave" && r.phase != "failed") {
            holds_ = true;
        }
    }
}

void NoticeHandler::update(NoticeRecord& record, std::string phase, std::string doing, std::string message) {
    record.phase = std::move(phase);
    record.doing = std::move(doing);
    record.message = std::move(message);
    record.updated_at = utc_now_rfc3339();
    try {
        write_notice_ledger(ledger_path_, ledger_);
    } catch (const std::exception& e) {
        logger().warn("cannot record notice {} in {}: {}", record.id, ledger_path_.string(), e.what());
    }
}

void NoticeHandler::step() {
    auto notices = watcher_.poll();
    if (!notices) {
        // One line per kind of failure, not one per second: Azure's first answer can take minutes.
        if (notices.error() != last_error_) {
            if (answered_once_) {
                logger().warn("{} metadata service: {}; looking again", to_string(watcher_.cloud()),
                              notices.error());
            } else {
                logger().info("{} metadata service not answering yet: {}; looking again",
                              to_string(watcher_.cloud()), notices.error());
            }
            last_error_ = notices.error();
        }
        return;
    }
    if (!last_error_.empty() && answered_once_) {
        logger().info("{} metadata service answers again", to_string(watcher_.cloud()));
    }
    last_error_.clear();
    answered_once_ = true;
    std::set<std::string> pending;
    for (const auto& n : *notices) {
        pending.insert(n.id);
    }
    for (const auto& n : *notices) {
        auto* record = ledger_.find(std::string(to_string(n.cloud)), n.id);
        if (record && finished(record->phase)) {
            continue;  // never twice
        }
        if (!record) {
            NoticeRecord fresh;
            fresh.cloud = to_string(n.cloud);
            fresh.id = n.id;
            fresh.type = n.type;
            fresh.action = to_string(n.action);
            fresh.not_before = n.not_before_text;
            fresh.seen_at = utc_now_rfc3339();
            ledger_.records.push_back(std::move(fresh));
            record = &ledger_.records.back();
            auto left = n.not_before ? std::chrono::duration_cast<Duration>(*n.not_before - wall_now_())
                                     : Duration(0);
            logger().info("notice seen: {} {} id {}, not before {}{}{}", to_string(n.cloud), n.type, n.id,
                          n.not_before_text.empty() ? "now" : n.not_before_text,
                          n.not_before ? ", in " + seconds_text(std::max(left, Duration(0))) : std::string(),
                          n.status.empty() ? std::string() : ", status " + n.status);
            update(*record, "seen", "seen; about to act");
        } else {
            logger().info("notice {} {} id {}: continuing from phase {} (the agent restarted)",
                          to_string(n.cloud), n.type, n.id, record->phase);
        }
        act(n, *record);
    }
    settle(pending);
}

void NoticeHandler::act(const Notice& notice, NoticeRecord& record) {
    switch (notice.action) {
        case NoticeAction::leave:
            leave(notice, record);
            break;
        case NoticeAction::drain_and_return:
            drain_for_reboot(notice, record);
            break;
        case NoticeAction::log_only:
            logger().info("notice {} ({}): nothing to move; the VM pauses and goes on", notice.id,
                          notice.type);
            update(record, "logged", "nothing: a pause of the VM");
            break;
    }
}

GracefulExitOptions NoticeHandler::exit_options(bool drain, bool leave, Duration deadline) const {
    GracefulExitOptions o;
    o.drain = drain;
    o.leave = leave;
    o.remove_entry = leave;
    o.deadline = deadline;
    o.down_wait = timing_.down_wait;
    return o;
}

Duration NoticeHandler::drain_deadline(const Notice& notice) {
    Duration budget = notice.cloud == CloudKind::gcp ? timing_.gcp_budget : timing_.default_budget;
    if (notice.not_before) {
        budget = std::chrono::duration_cast<Duration>(*notice.not_before - wall_now_());
    } else if (notice.cloud == CloudKind::azure) {
        budget = Duration(0);  // Started: the platform is acting now
    }
    return std::max(budget - timing_.leave_margin, timing_.min_drain);
}

void NoticeHandler::leave(const Notice& notice, NoticeRecord& record) {
    holds_ = true;
    if (record.phase == "seen" || record.phase == "draining") {
        auto deadline = drain_deadline(notice);
        update(record, "draining",
               "draining (deadline " + seconds_text(deadline) + "), then leave and remove the entry");
        logger().info("notice {}: graceful exit, drain deadline {}", notice.id, seconds_text(deadline));
        GracefulExitResult result;
        try {
            result = actions_.graceful_exit(exit_options(true, true, deadline));
        } catch (const Failure& f) {
            if (f.code() != ExitCode::drain_deadline) {
                logger().error("notice {}: the graceful exit failed: {}; the notice is not approved",
                               notice.id, f.what());
                update(record, "failed", "nothing more: the graceful exit failed", f.what());
                return;
            }
            // The VM goes anyway: leave with what is still here rather than as a ghost.
            logger().warn("notice {}: {}; leaving without waiting for the rest", notice.id, f.what());
            try {
                result = actions_.graceful_exit(
                    GracefulExitOptions{.drain = false, .deadline = timing_.min_drain});
            } catch (const Failure& again) {
                logger().error("notice {}: leaving failed: {}; the notice is not approved", notice.id,
                               again.what());
                update(record, "failed", "nothing more: leaving failed", again.what());
                return;
            }
        }
        if (result.drained) {
            logger().info("notice {}: drain done: the tasks of node {} run elsewhere", notice.id,
                          result.node_id);
        }
        if (result.left) {
            logger().info("notice {}: left the swarm", notice.id);
        }
        if (result.entry_removed) {
            logger().info("notice {}: entry of node {} removed through {}", notice.id, result.node_id,
                          result.manager);
        }
        update(record, "left", "left the swarm; approving");
    }
    if (record.phase == "left") {
        approve(notice, record, notice.cloud == CloudKind::azure ? "approved" : "done");
    }
}

void NoticeHandler::drain_for_reboot(const Notice& notice, NoticeRecord& record) {
    holds_ = true;
    if (record.phase == "seen" || record.phase == "draining") {
        auto deadline = drain_deadline(notice);
        update(record, "draining", "draining before the reboot (deadline " + seconds_text(deadline) + ")");
        try {
            auto result = actions_.graceful_exit(exit_options(true, false, deadline));
            if (result.drained) {
                logger().info("notice {}: drain done: the tasks of node {} run elsewhere", notice.id,
                              result.node_id);
            }
        } catch (const Failure& f) {
            logger().warn("notice {}: {}; letting the {} go ahead", notice.id, f.what(), notice.type);
        }
        update(record, "left", "drained; approving");
    }
    if (record.phase == "left") {
        approve(notice, record, "approved");
        if (record.phase == "approved") {
            update(record, "approved", "drained for the " + notice.type + "; active again once it is over");
        }
    }
}

void NoticeHandler::approve(const Notice& notice, NoticeRecord& record, const std::string& next_phase) {
    if (notice.cloud != CloudKind::azure) {
        update(record, next_phase, "out of the swarm; waiting for the cloud to take the VM");
        return;
    }
    auto ok = watcher_.approve(notice);
    if (!ok) {
        // Left as it is: the next look tries again (the platform goes ahead at NotBefore in any case).
        logger().warn("notice {}: {}; trying again", notice.id, ok.error());
        return;
    }
    logger().info("notice {}: approved event {} ({})", notice.id, notice.id, notice.type);
    update(record, next_phase, "approved; waiting for the cloud to take the VM");
}

void NoticeHandler::settle(const std::set<std::string>& pending) {
    bool hold = false;
    std::string cloud(to_string(watcher_.cloud()));
    for (auto& r : ledger_.records) {
        if (r.cloud != cloud) {
            continue;
        }
        bool shown = pending.count(r.id) > 0;
        if (r.action == "drain-and-return" && r.phase == "approved" && !shown) {
            // The reboot is over (the event is gone): back to work.
            auto ok = actions_.reactivate ? actions_.reactivate() : sb::expected<void, std::string>{};
            if (!ok) {
                logger().warn("notice {}: cannot set the node active again: {}; trying again", r.id,
                              ok.error());
                hold = true;
                continue;
            }
            logger().info("notice {}: the {} is over; node active again", r.id, r.type);
            update(r, "returned", "nothing: active again after the " + r.type);
            continue;
        }
        if (!shown) {
            if (r.action == "leave" && (r.phase == "approved" || r.phase == "done" || r.phase == "left") &&
                r.doing.find("withdrawn") == std::string::npos) {
                // Still here, and the cloud no longer shows the notice: it changed its mind. Healing rejoins.
                logger().warn(
                    "notice {}: the cloud no longer shows it and this VM is still here; joining again", r.id);
                update(r, r.phase, "withdrawn by the cloud; healing may join again");
                if (actions_.resume_healing) {
                    actions_.resume_healing();
                }
            }
            continue;
        }
        if (r.phase != "failed" && r.phase != "logged" && r.phase != "returned") {
            hold = true;
        }
    }
    holds_ = hold;
}

}  // namespace sb::cloud
