#include "agent/leave/drain.hpp"

#include <map>

#include "agent/node/availability.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::phases {

namespace {

std::string plural(int n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) {
        out += (out.empty() ? "" : "; ") + l;
    }
    return out;
}

}  // namespace

ApiResult<DrainLook> look_at_drain(EngineApi& manager, const std::string& node_id,
                                   std::set<std::string>& watched) {
    auto services = manager.services();
    if (!services) {
        return sb::unexpected(services.error());
    }
    std::map<std::string, Service> by_id;
    for (const auto& s : *services) {
        by_id[s.id] = s;
    }
    auto here = manager.tasks(TaskFilter{{node_id}, {}, {}});
    if (!here) {
        return sb::unexpected(here.error());
    }
    std::map<std::string, int> here_by_service;
    DrainLook look;
    for (const auto& t : *here) {
        auto it = by_id.find(t.service_id);
        if (t.terminal() || (it != by_id.end() && it->second.mode == ServiceMode::global)) {
            continue;
        }
        ++here_by_service[t.service_id];
        ++look.tasks_here;
        watched.insert(t.service_id);
    }
    std::map<std::string, int> running_elsewhere;
    std::vector<std::string> replicated;
    for (const auto& id : watched) {
        auto it = by_id.find(id);
        if (it != by_id.end() && it->second.mode == ServiceMode::replicated) {
            replicated.push_back(id);
        }
    }
    if (!replicated.empty()) {
        auto elsewhere = manager.tasks(TaskFilter{{}, replicated, "running"});
        if (!elsewhere) {
            return sb::unexpected(elsewhere.error());
        }
        for (const auto& t : *elsewhere) {
            if (t.node_id != node_id && t.state == "running") {
                ++running_elsewhere[t.service_id];
            }
        }
    }
    for (const auto& id : watched) {
        auto it = by_id.find(id);
        int still_here = here_by_service[id];
        if (it == by_id.end()) {
            // The service was removed meanwhile: only its tasks here matter.
            if (still_here > 0) {
                look.lines.push_back(id + " (removed): " + plural(still_here, "task", "tasks") +
                                     " still here");
            }
            continue;
        }
        const auto& svc = it->second;
        if (svc.mode == ServiceMode::global) {
            continue;
        }
        bool short_elsewhere = svc.mode == ServiceMode::replicated &&
                               static_cast<std::uint64_t>(running_elsewhere[id]) < svc.replicas;
        if (still_here == 0 && !short_elsewhere) {
            continue;
        }
        std::string line = svc.name + ": ";
        if (svc.mode == ServiceMode::replicated) {
            line += std::to_string(running_elsewhere[id]) + "/" + std::to_string(svc.replicas) +
                    " running elsewhere, ";
        }
        line += plural(still_here, "task", "tasks") + " still here";
        look.lines.push_back(line);
    }
    look.done = look.lines.empty();
    return look;
}

void drain_and_wait(EngineApi& manager, Services& services, const std::string& node_id, Duration deadline,
                    Duration poll, bool dry_run) {
    auto& log = sb::log("drain");
    auto& clock = *services.clock;
    Deadline until(clock, deadline);
    // What ran here before the drain: those services are waited for even once their tasks here are gone.
    std::set<std::string> watched;
    auto before = look_at_drain(manager, node_id, watched);
    if (!before) {
        throw Failure(
            ExitCode::manager_deadline,
            "manager " + manager.address() + " cannot list this node's tasks: " + before.error().describe());
    }
    auto set = ensure_availability(manager, node_id, "drain", dry_run);
    if (!set) {
        throw Failure(ExitCode::manager_deadline, "manager " + manager.address() + " did not set node " +
                                                      node_id + " to drain: " + set.error().describe());
    }
    if (dry_run) {
        log.info("dry run: would wait up to {} for {} task(s) here to move{}", format_duration(deadline),
                 before->tasks_here, before->lines.empty() ? "" : " (" + joined(before->lines) + ")");
        return;
    }
    log.info("waiting up to {} for {} to move off node {}", format_duration(deadline),
             plural(before->tasks_here, "task", "tasks"), node_id);
    std::string last_said;
    std::optional<ApiError> last_error;
    DrainLook last = *before;
    for (;;) {
        auto look = look_at_drain(manager, node_id, watched);
        if (look) {
            last_error.reset();
            last = *look;
            if (look->done) {
                log.info(
                    "drained: no task left here and every service that ran here is back to its "
                    "replicas elsewhere");
                return;
            }
            for (const auto& line : look->lines) {
                if (last_said.find(line) == std::string::npos) {
                    log.info("{}", line);
                }
            }
            last_said = joined(look->lines);
        } else {
            last_error = look.error();
            log.warn("manager {} did not answer about the drain: {}; asking again", manager.address(),
                     look.error().describe());
        }
        if (until.expired()) {
            if (last_error) {
                throw Failure(ExitCode::manager_deadline,
                              "manager " + manager.address() + " stopped answering during the drain (" +
                                  last_error->describe() + "); node " + node_id +
                                  " stays drained: run 'swarm-bootstrap drain' again");
            }
            throw Failure(ExitCode::drain_deadline,
                          "the drain's deadline of " + format_duration(deadline) +
                              " passed: " + joined(last.lines) + "; node " + node_id +
                              " stays drained (undo with 'swarm-bootstrap drain --undo'), or give a longer "
                              "--deadline");
        }
        if (!clock.sleep_for(std::min(poll, until.remaining()), services.stop)) {
            throw Stopped{};
        }
    }
}

void undrain(EngineApi& manager, const std::string& node_id, bool dry_run) {
    auto set = ensure_availability(manager, node_id, "active", dry_run);
    if (!set) {
        throw Failure(ExitCode::manager_deadline, "manager " + manager.address() + " did not set node " +
                                                      node_id + " back to active: " + set.error().describe());
    }
    if (*set == AvailabilityUpdate::unchanged) {
        sb::log("drain").info("node {} is already active", node_id);
    }
}

}  // namespace sb::phases
