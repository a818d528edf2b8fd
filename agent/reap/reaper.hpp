#pragma once

// The reaper on the managers (`run --reap-down-after DURATION`). Managers never remove a node by themselves,
// so every VM a scale set deletes stays in `docker node ls` as Down, for ever, and a lost manager keeps
// counting for the quorum. The leader's agent removes the entries of nodes that swarm-bootstrap joined (they
// carry its joined label) once they have been down longer than the grace; a down manager is demoted, then
// removed, and only when the managers that remain keep a quorum. Everyone else does nothing, at no cost.

#include <map>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "agent/leave/quorum.hpp"
#include "common/clock.hpp"
#include "common/engine_api.hpp"
#include "common/timestamp.hpp"

namespace sb::reap {

struct Removal {
    std::string node_id;
    std::string hostname;
    Duration down_for{0};
    bool was_manager = false;
};

class Reaper {
  public:
    Reaper(Duration grace, bool dry_run) : grace_(grace), dry_run_(dry_run) {}

    // One look, once per interval. `self` is this node as a manager reported it in this interval's check
    // (GET /nodes/<self>) and `local_info` the local engine's /info of the same check: on every node but the
    // leader this returns at once, without a request of its own. The leader lists the nodes on its own engine
    // and removes what has outstayed the grace. Returns what it removed (or would have, in a dry run).
    std::vector<Removal> pass(const Node& self, const EngineInfo& local_info, EngineApi& local, Clock& clock,
                              std::stop_token stop);

  private:
    // How long `n` has been down, by the engine's own clock: its SystemTime against the node's UpdatedAt,
    // which the managers stamp when they mark it down (both written by the leader, so no clock skew, and the
    // agent may restart without losing count). Where the engine gives no readable times: since this agent
    // first saw it down.
    Duration down_for(const Node& n, const std::optional<EngineTime>& engine_now, Clock::time_point now);
    // Demotes a manager entry (a down manager stays a raft member until it is demoted); false on failure.
    bool demote(EngineApi& local, const Node& n);
    // DELETE, repeated for a few seconds while a just-demoted manager is still leaving the raft cluster.
    ApiResult<void> remove(EngineApi& local, const Node& n, Clock& clock, std::stop_token stop);
    // Logs `text` about `node_id` once per reason, not at every interval.
    void note_once(const std::string& node_id, const std::string& reason, const std::string& text);

    Duration grace_;
    bool dry_run_;
    bool leading_ = false;
    std::map<std::string, Clock::time_point> first_seen_down_;
    // Managers demoted by this reaper whose DELETE has not gone through yet, with when they went down (on
    // this agent's clock): the demotion moved their UpdatedAt, but their grace is already spent.
    std::map<std::string, Clock::time_point> demoted_;
    std::set<std::string> noted_;
};

}  // namespace sb::reap
