#include "agent/watch/watch.hpp"

#include "agent/leave/leaving_marker.hpp"
#include "agent/node/labels.hpp"
#include "agent/node/manager_probe.hpp"
#include "agent/node/node_labels.hpp"
#include "agent/node/stale_nodes.hpp"
#include "agent/platform/memory.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb {

namespace {

// Passes every sleep on to the supervisor as a keepalive, so a systemd watchdog keeps being fed during the
// long waits of a join cycle too.
class KeepaliveClock final : public Clock {
  public:
    KeepaliveClock(Clock& inner, service::Supervisor& supervisor) : inner_(inner), supervisor_(supervisor) {}
    time_point now() override { return inner_.now(); }
    bool sleep_for(Duration d, std::stop_token stop) override {
        supervisor_.keepalive();
        bool ok = inner_.sleep_for(d, stop);
        supervisor_.keepalive();
        return ok;
    }

  private:
    Clock& inner_;
    service::Supervisor& supervisor_;
};

// The join's preflight has rejected a bad --manager before the watch runs.
std::vector<ManagerSpec> configured_managers(const Config& config) {
    auto specs = parse_manager_specs(config.managers);
    return specs ? *specs : std::vector<ManagerSpec>{};
}

}  // namespace

HealthCheck check_node(const Config& config, Services& services, WatchState& state) {
    auto& log = sb::log("watch");
    auto info = services.local->info();
    if (!info) {
        return {Health::needs_join, "the local engine does not answer: " + info.error().describe()};
    }
    const auto& s = info->swarm;
    if (!s.active()) {
        return {Health::needs_join, "the local engine is not in the swarm (state " + s.local_state + ")"};
    }
    auto client = [&](const Endpoint& ep) {
        auto& c = state.clients[ep.url()];
        if (!c) {
            c = std::shared_ptr<EngineApi>(services.connect_manager(ep));
        }
        return c;
    };
    // The node as a manager sees it, with the labels: the manager that answered last is asked first, and only
    // when it does not answer are all managers probed.
    std::optional<Node> node;
    std::shared_ptr<EngineApi> manager;
    std::string manager_name;
    if (state.last_manager) {
        auto api = client(*state.last_manager);
        auto n = api->node(s.node_id);
        if (n) {
            node = *n;
            manager = api;
            manager_name = state.last_manager->authority();
        } else if (n.error().kind == ApiErrorKind::not_found) {
            return {Health::needs_join,
                    "manager " + state.last_manager->authority() + " no longer knows node " + s.node_id};
        } else {
            state.last_manager.reset();
        }
    }
    if (!node) {
        auto specs = configured_managers(config);
        auto probes =
            probe_managers(expand_managers(specs, config.tls, services.resolve), client, services.spawn);
        for (const auto& p : probes) {
            if (!p.ready) {
                continue;
            }
            auto n = p.ready->api->node(s.node_id);
            if (!n) {
                if (n.error().kind == ApiErrorKind::not_found) {
                    return {Health::needs_join,
                            "manager " + p.endpoint.authority() + " no longer knows node " + s.node_id};
                }
                continue;
            }
            node = *n;
            manager = p.ready->api;
            manager_name = p.endpoint.authority();
            state.last_manager = p.endpoint;
            break;
        }
    }
    if (!node) {
        return {Health::unknown, "no manager answers"};
    }
    if (!state.local_version) {
        if (auto version = services.local->version()) {
            state.local_version = *version;
        }
    }
    Labels wanted =
        agent_labels(*info, state.local_version ? *state.local_version : VersionInfo{}, config.labels);
    auto labelled = ensure_labels(*manager, *node, wanted, config.dry_run);
    if (labelled && *labelled == LabelUpdate::updated) {
        log.warn("labels of node {} had been changed; restored the ones this agent owns", s.node_id);
    } else if (!labelled) {
        log.warn("cannot check the labels of node {} on {}: {}", s.node_id, manager_name,
                 labelled.error().describe());
    }
    if (config.prune_stale_nodes) {
        // A twin left by a reimage goes `down` only ~12 s after the new node joined: look again every check.
        prune_stale_entries(*manager, s.node_id, info->name, config.dry_run);
    }
    if (config.reap_down_after.count() > 0) {
        if (!state.reaper) {
            state.reaper = std::make_shared<reap::Reaper>(config.reap_down_after, config.dry_run);
        }
        // The node just read tells whether this node leads: nobody else sends a request for the reaper.
        state.reaper->pass(*node, *info, *services.local, *services.clock, services.stop);
    }
    return {Health::healthy, "node " + s.node_id + " is " + node->state};
}

HealthCheck check_node(const Config& config, Services& services) {
    WatchState state;
    return check_node(config, services, state);
}

int watch_and_heal(const Config& config, Services& services, service::Supervisor& supervisor,
                   const std::function<void(const JoinResult*, const std::string&, int)>& record) {
    auto& log = sb::log("watch");
    KeepaliveClock clock(*services.clock, supervisor);
    Services watched = services;
    watched.clock = &clock;
    Backoff retry(BackoffPolicy{config.backoff_initial, std::max(config.backoff_max, config.interval), 2.0},
                  services.random);
    bool ready_sent = false;
    // A node that leaves on purpose (a drain or leave by hand, see leaving_marker.hpp) is not healed back.
    std::optional<std::string> paused_for;
    auto paused = [&] {
        auto reason = leaving_reason(config);
        if (reason && reason != paused_for) {
            log.info(
                "healing paused: this node is leaving on purpose ({}); 'swarm-bootstrap drain --undo' "
                "resumes it",
                *reason);
            supervisor.status("paused: leaving on purpose (" + *reason + ")");
        } else if (!reason && paused_for) {
            log.info("healing resumed: the leaving marker is gone");
        }
        paused_for = reason;
        return reason.has_value();
    };
    try {
        while (!services.stop.stop_requested()) {
            if (paused()) {
                if (!ready_sent) {
                    supervisor.ready();  // started and working: it has chosen to wait
                    ready_sent = true;
                }
                if (!clock.sleep_for(config.interval, services.stop)) {
                    return 0;
                }
                continue;
            }
            try {
                auto result = run_join(config, watched);
                set_log_node_id(result.node_id);
                record(&result, "", 0);
                retry.reset();
                if (!ready_sent) {
                    supervisor.ready();
                    ready_sent = true;
                }
                supervisor.status("member: node " + result.node_id);
                WatchState state;
                if (!result.local_version.api_version.empty()) {
                    state.local_version = result.local_version;
                }
                if (!result.manager.empty()) {
                    // The manager the join used answers the first check (a swarm address is no API).
                    auto specs = configured_managers(config);
                    for (const auto& ep : expand_managers(specs, config.tls, services.resolve)) {
                        if (ep.authority() == result.manager) {
                            state.last_manager = ep;
                        }
                    }
                }
                release_unused_memory();
                for (;;) {
                    if (!clock.sleep_for(config.interval, services.stop)) {
                        return 0;
                    }
                    if (paused()) {
                        continue;
                    }
                    auto health = check_node(config, watched, state);
                    if (health.health == Health::needs_join) {
                        log.warn("healing: {}; joining again", health.reason);
                        supervisor.status("healing: " + health.reason);
                        break;
                    }
                    if (health.health == Health::unknown) {
                        log.warn("cannot confirm membership: {}; checking again in {}", health.reason,
                                 format_duration(config.interval));
                    }
                }
            } catch (const Failure& f) {
                if (services.stop.stop_requested()) {
                    throw Stopped{};  // a request the stop cut short, not a failure of the node
                }
                record(nullptr, f.what(), to_int(f.code()));
                if (f.code() == ExitCode::usage) {
                    log.error("{}", f.what());
                    return to_int(f.code());  // a bad configuration does not heal by itself
                }
                if (!ready_sent &&
                    (f.code() == ExitCode::manager_deadline || f.code() == ExitCode::engine_deadline)) {
                    // The first join ran out of time: end with its code, so that the service manager shows a
                    // failed start (install.sh returns it) and starts the agent again after its RestartSec.
                    // Once the node has been a member, the loop keeps trying by itself.
                    log.error("{}", f.what());
                    return to_int(f.code());
                }
                auto next = retry.next();
                log.error("{}; trying again in {}", f.what(), format_duration(next));
                supervisor.status(std::string("retrying: ") + f.what());
                if (!clock.sleep_for(next, services.stop)) {
                    return 0;
                }
            }
        }
    } catch (const Stopped&) {
        log.info("stop requested");
    }
    return 0;
}

}  // namespace sb
