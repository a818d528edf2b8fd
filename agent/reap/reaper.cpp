#include "agent/reap/reaper.hpp"

#include <algorithm>

#include "agent/node/node_labels.hpp"
#include "common/logging.hpp"

namespace sb::reap {

namespace {

constexpr int delete_attempts = 10;
constexpr Duration delete_retry{500};

bool joined_by_us(const Node& n) {
    auto it = n.labels.find(std::string(joined_label));
    return it != n.labels.end() && it->second == joined_label_value;
}

// A demoted manager leaves the raft cluster a moment after its Role changed; until then DELETE answers
// 400 "... is a cluster manager and is a member of the raft cluster. It must be demoted to worker before
// removal".
bool still_raft_member(const ApiError& e) {
    return e.message.find("member of the raft cluster") != std::string::npos;
}

}  // namespace

Duration Reaper::down_for(const Node& n, const std::optional<EngineTime>& engine_now, Clock::time_point now) {
    auto seen = first_seen_down_.try_emplace(n.id, now).first->second;
    auto updated = parse_engine_time(n.updated_at);
    if (engine_now && updated) {
        return std::max(Duration(0), std::chrono::duration_cast<Duration>(*engine_now - *updated));
    }
    return std::chrono::duration_cast<Duration>(now - seen);
}

void Reaper::note_once(const std::string& node_id, const std::string& reason, const std::string& text) {
    if (noted_.insert(node_id + "/" + reason).second) {
        sb::log("reap").info("{}", text);
    }
}

bool Reaper::demote(EngineApi& local, const Node& n) {
    constexpr int max_attempts = 5;
    Node current = n;
    for (int attempt = 1; attempt <= max_attempts; ++attempt) {
        nlohmann::json spec = current.spec;  // the whole Spec: one without Labels erases them
        spec["Role"] = "worker";
        auto updated = local.update_node(current.id, current.version, spec);
        if (updated) {
            return true;
        }
        if (updated.error().kind != ApiErrorKind::out_of_sequence) {
            sb::log("reap").warn("cannot demote down manager node {} ({}): {}; trying again next interval",
                                 n.id, n.hostname, updated.error().describe());
            return false;
        }
        auto again = local.node(n.id);
        if (!again) {
            sb::log("reap").warn(
                "cannot read down manager node {} ({}) again: {}; trying again next interval", n.id,
                n.hostname, again.error().describe());
            return false;
        }
        current = *again;
    }
    sb::log("reap").warn(
        "down manager node {} ({}) kept changing while it was demoted; trying again next interval", n.id,
        n.hostname);
    return false;
}

ApiResult<void> Reaper::remove(EngineApi& local, const Node& n, Clock& clock, std::stop_token stop) {
    for (int attempt = 1;; ++attempt) {
        auto removed = local.remove_node(n.id, false);
        if (removed || attempt == delete_attempts || !still_raft_member(removed.error())) {
            return removed;
        }
        sb::log("reap").debug(
            "node {} is still leaving the raft cluster (attempt {}); removing it again in {}", n.id, attempt,
            format_duration(delete_retry));
        if (!clock.sleep_for(delete_retry, stop)) {
            return removed;
        }
    }
}

std::vector<Removal> Reaper::pass(const Node& self, const EngineInfo& local_info, EngineApi& local,
                                  Clock& clock, std::stop_token stop) {
    auto& log = sb::log("reap");
    std::vector<Removal> removals;
    // Only the leader acts, so a herd of managers costs one listing per interval, and its own engine answers.
    bool leading = self.leader && local_info.swarm.control_available;
    if (leading != leading_) {
        leading_ = leading;
        if (leading) {
            log.info(
                "this node leads the swarm: removing the nodes swarm-bootstrap joined once they have been "
                "down longer than {}",
                format_duration(grace_));
        } else {
            log.info("this node no longer leads the swarm: the new leader's agent removes down nodes");
            first_seen_down_.clear();
        }
    }
    if (!leading) {
        return removals;
    }
    auto nodes = local.nodes();
    if (!nodes) {
        log.warn("cannot list the nodes on {}: {}; looking again in the next interval", local.address(),
                 nodes.error().describe());
        return removals;
    }
    auto engine_now = parse_engine_time(local_info.system_time);
    auto now = clock.now();
    auto managers = count_managers(*nodes);
    std::set<std::string> down_now;
    for (const auto& n : *nodes) {
        if (n.id == self.id || n.state != "down") {
            continue;
        }
        down_now.insert(n.id);
        auto down = down_for(n, engine_now, now);
        auto demoted_before = demoted_.find(n.id);
        if (demoted_before != demoted_.end()) {
            down = std::chrono::duration_cast<Duration>(now - demoted_before->second);
        }
        if (!joined_by_us(n)) {
            note_once(n.id, "foreign",
                      "node " + n.id + " (" + n.hostname +
                          ") is down, but swarm-bootstrap did not join it (no " + std::string(joined_label) +
                          " label): leaving it alone");
            continue;
        }
        if (down < grace_ && demoted_before == demoted_.end()) {
            log.debug("node {} ({}) down for {}, within the grace of {}", n.id, n.hostname,
                      format_duration(down), format_duration(grace_));
            continue;
        }
        bool manager = n.role == "manager";
        std::string quorum;
        if (manager) {
            auto verdict = quorum_after_removing(managers, n.reachability == "reachable");
            if (!verdict.keeps_quorum) {
                note_once(n.id, "quorum",
                          "keeping down manager node " + n.id + " (" + n.hostname + ", down for " +
                              format_duration(down) + "): removing it would cost the quorum (" +
                              verdict.reason + ")");
                continue;
            }
            quorum = "; " + verdict.reason;
        }
        std::string what = std::string(manager ? "manager node " : "node ") + n.id + " (" + n.hostname +
                           "), down for " + format_duration(down) + ", longer than the grace of " +
                           format_duration(grace_);
        if (dry_run_) {
            note_once(
                n.id, "dry-run",
                "dry run: would " + std::string(manager ? "demote and " : "") + "remove " + what + quorum);
            removals.push_back({n.id, n.hostname, down, manager});
            continue;
        }
        if (manager) {
            if (!demote(local, n)) {
                continue;
            }
            demoted_[n.id] = now - down;
        }
        auto removed = remove(local, n, clock, stop);
        if (!removed) {
            if (removed.error().kind == ApiErrorKind::not_found) {
                demoted_.erase(n.id);
                continue;  // removed by someone else meanwhile
            }
            if (removed.error().kind == ApiErrorKind::not_down) {
                if (manager) {
                    log.warn(
                        "kept node {} ({}): it came back while it was removed, and is a worker now (it "
                        "was demoted); 'docker node promote {}' makes it a manager again",
                        n.id, n.hostname, n.id);
                } else {
                    log.info("kept node {} ({}): it is up again", n.id, n.hostname);
                }
                demoted_.erase(n.id);
                continue;
            }
            log.warn("cannot remove {}: {}; trying again next interval", what, removed.error().describe());
            continue;
        }
        demoted_.erase(n.id);
        if (manager) {
            --managers.members;
        }
        LogFields fields({{"SB_REAPED_NODE_ID", n.id},
                          {"SB_REAPED_HOSTNAME", n.hostname},
                          {"SB_DOWN_SECONDS", std::to_string(down.count() / 1000)}});
        log.info("removed {}{}{}", what, manager ? ", demoted first" : "", quorum);
        removals.push_back({n.id, n.hostname, down, manager});
    }
    // What is up again, or gone, starts from nothing should it go down once more.
    std::erase_if(first_seen_down_, [&](const auto& entry) { return down_now.count(entry.first) == 0; });
    std::erase_if(demoted_, [&](const auto& entry) { return down_now.count(entry.first) == 0; });
    std::erase_if(noted_,
                  [&](const std::string& key) { return down_now.count(key.substr(0, key.find('/'))) == 0; });
    return removals;
}

}  // namespace sb::reap
