#include <cstdio>

#include "agent/commands/commands.hpp"
#include "agent/join/join_flow.hpp"
#include "agent/join/phases.hpp"
#include "agent/platform/platform.hpp"
#include "agent/state_file.hpp"
#include "agent/status_report.hpp"
#include "agent/watch.hpp"
#include "agent/wiring.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"
#include "common/version.hpp"

namespace sb::commands {

namespace {

std::unique_ptr<platform::InstanceLock> lock_or_fail(const Config& config) {
    auto lock = platform::try_lock_instance(config.lock_file);
    if (!lock) {
        throw Failure(ExitCode::already_running,
                      "another swarm-bootstrap is already running on this node (lock " + config.lock_file +
                          " is held); wait for it to finish or stop it");
    }
    return lock;
}

// Records an outcome; a state file that cannot be written is worth a warning, not a failed join.
void record(const Config& config, const std::string& command, const std::string& started,
            const JoinResult* result, const std::string& failure, int code) {
    if (config.dry_run) {
        return;
    }
    AgentState state;
    state.command = command;
    state.started_at = started;
    state.finished_at = utc_now_rfc3339();
    if (result != nullptr) {
        state.outcome = std::string(to_string(result->outcome));
        state.node_id = result->node_id;
        state.cluster_id = result->cluster_id;
        state.manager = result->manager;
        state.attempts = result->attempts;
    } else {
        state.outcome = "failed";
        state.exit_code = code;
        state.message = failure;
    }
    try {
        write_state(config.state_file, state);
    } catch (const Failure& f) {
        log("record").warn("{}", f.what());
    }
}

int join_with(const Config& config, std::stop_token stop, const std::string& command, JoinPlan plan) {
    auto lock = lock_or_fail(config);
    auto started = utc_now_rfc3339();
    try {
        RealServices real(config, stop);
        auto result = run_join(config, real.services(), plan);
        record(config, command, started, &result, "", 0);
        return 0;
    } catch (const Failure& f) {
        record(config, command, started, nullptr, f.what(), to_int(f.code()));
        throw;
    }
}

std::vector<Endpoint> manager_endpoints(const Config& config) {
    std::vector<ManagerSpec> specs;
    for (const auto& m : config.managers) {
        auto spec = parse_manager_spec(m);
        if (!spec) {
            throw Failure(ExitCode::usage, spec.error());
        }
        specs.push_back(*spec);
    }
    return expand_managers(specs, config.tls, resolve_host);
}

}  // namespace

int join(const Config& config, std::stop_token stop) {
    return join_with(config, stop, "join", {});
}

int rejoin(const Config& config, std::stop_token stop) {
    return join_with(config, stop, "rejoin", JoinPlan{.leave_first = true});
}

int leave(const Config& config, bool force, bool remove_node, std::stop_token stop) {
    auto lock = lock_or_fail(config);
    RealServices real(config, stop);
    JoinContext ctx(config, real.services());
    for (const auto& m : config.managers) {
        if (auto spec = parse_manager_spec(m)) {
            ctx.managers.push_back(*spec);
        }
    }
    auto old_id = phases::leave_local(ctx, force);
    if (remove_node && !old_id.empty()) {
        if (config.managers.empty()) {
            throw Failure(ExitCode::usage,
                          "--remove-node needs a manager to remove the entry through; add --manager ADDR");
        }
        phases::remove_nodes(ctx, {old_id});
    }
    return 0;
}

int status(const Config& config, bool json) {
    RealServices real(config, {});
    std::map<std::string, std::unique_ptr<EngineApi>> clients;
    auto report =
        collect_status(real.local(), manager_endpoints(config), [&](const Endpoint& ep) -> EngineApi& {
            auto& c = clients[ep.url()];
            if (!c) {
                c = real.services().connect_manager(ep);
            }
            return *c;
        });
    report.last_run = read_state(config.state_file);
    if (json) {
        std::printf("%s\n", to_json(report).dump(2).c_str());
    } else {
        std::printf("%s", to_text(report).c_str());
    }
    return report.member() ? 0 : to_int(ExitCode::not_member);
}

int run(const Config& config, std::stop_source stop) {
    return service::host(
        "swarm-bootstrap", stop, [&](std::stop_token token, service::Supervisor& supervisor) {
            if (auto sink = service::make_event_sink("swarm-bootstrap")) {
                add_log_sink(sink);
            }
            // Inside the body, so that under the Windows SCM a second instance is reported as exit 7 too,
            // rather than as a service that never connected to the SCM.
            try {
                auto lock = lock_or_fail(config);
                log("service").info("swarm-bootstrap {} starting: watching every {}", SB_VERSION,
                                    format_duration(config.interval));
                RealServices real(config, token);
                auto started = utc_now_rfc3339();
                int code = watch_and_heal(config, real.services(), supervisor,
                                          [&](const JoinResult* result, const std::string& failure, int c) {
                                              record(config, "run", started, result, failure, c);
                                          });
                log("service").info("swarm-bootstrap stopping");
                return code;
            } catch (const Failure& f) {
                log("service").error("{}", f.what());
                return to_int(f.code());
            }
        });
}

int service_install(const nlohmann::json& settings, service::InstallOptions options) {
    if (options.executable.empty()) {
        options.executable = platform::executable_path();
    }
    if (options.config_file.empty()) {
        options.config_file = platform::default_config_path();
    }
    if (!settings.empty()) {
        // The settings given to `service install` become the service's configuration file (mode 0600: it may
        // name a token file or TLS key). An installer then needs no JSON tooling of its own.
        auto path =
            options.root.empty() ? options.config_file : options.root / options.config_file.relative_path();
        // Keys already in the file stay unless given again; labels merge key by key, as the layers do.
        nlohmann::json merged = nlohmann::json::object();
        if (std::filesystem::exists(path)) {
            merged = read_config_file(path).values;
        }
        for (const auto& [key, value] : settings.items()) {
            if (key == "labels" && merged.contains(key) && merged[key].is_object()) {
                merged[key].update(value);
            } else {
                merged[key] = value;
            }
        }
        if (options.dry_run) {
            log("service").info("dry run: would write {}", path.string());
        } else {
            platform::write_file_atomically(path, merged.dump(2) + "\n");
            log("service").info("wrote the configuration {}", path.string());
        }
    }
    service::install(options);
    return 0;
}

int service_uninstall(service::InstallOptions options) {
    service::uninstall(options);
    return 0;
}

int version() {
    std::printf("swarm-bootstrap %s (%s)\nEngine API %s to %s\n", SB_VERSION, SB_PLATFORM, api_version_min,
                api_version_max);
    return 0;
}

}  // namespace sb::commands
