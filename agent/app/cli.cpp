#include "agent/app/cli.hpp"

#include <CLI/CLI.hpp>

#include "agent/commands/commands.hpp"
#include "agent/commands/service_status_command.hpp"
#include "agent/config/config.hpp"
#include "agent/platform/platform.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"
#include "common/secret.hpp"

namespace sb {

namespace {

// Command-line values by configuration key, filled by CLI11 and turned into the top configuration layer.
struct CliValues {
    std::map<std::string, std::vector<std::string>> values;
    std::map<const CLI::App*, std::map<std::string, CLI::Option*>> options;  // per subcommand
    std::string config_file;
    bool dry_run = false;
};

struct OptionInfo {
    const char* key;
    const char* flag;
    const char* value;  // what the value is, as the docker CLI names it in --help; "" for a flag
    const char* help;
};

// The command-line spelling and help of each configuration key.
constexpr OptionInfo join_options[] = {
    {"managers", "--manager", "ADDR",
     "a manager's Engine API: HOST, HOST:PORT, tcp://HOST:PORT, a DNS name or FIRST_IP+COUNT (repeatable)"},
    {"role", "--role", "worker|manager", "the role to join as (default worker)"},
    {"token_file", "--token-file", "FILE", "read the join token from this file instead of asking a manager"},
    {"labels", "--label", "KEY=VALUE", "a label for this node (repeatable)"},
    {"advertise_addr", "--advertise-addr", "ADDR[:PORT]",
     "address or interface advertised to other nodes (default: the engine's choice)"},
    {"listen_addr", "--listen-addr", "ADDR[:PORT]",
     "swarm listen address or interface (default 0.0.0.0:2377)"},
    {"data_path_addr", "--data-path-addr", "ADDR", "address or interface for data path traffic"},
    {"availability", "--availability", "active|pause|drain", "the node's availability (default active)"},
    {"timeout", "--timeout", "DURATION", "overall deadline, e.g. 90s, 15m, 1h (default 15m)"},
    {"backoff_initial", "--backoff-initial", "DURATION", "first retry delay (default 1s)"},
    {"backoff_max", "--backoff-max", "DURATION", "longest retry delay (default 10s)"},
    {"interval", "--interval", "DURATION", "run: how often to check the node (default 30s)"},
    {"docker_host", "--docker-host", "URL",
     "the local engine (default: DOCKER_HOST, else the platform's docker socket or pipe)"},
    {"tls", "--tls", "", "use TLS to the managers (default port 2376)"},
    {"tls_ca", "--tls-ca", "FILE", "CA certificate to verify the managers"},
    {"tls_cert", "--tls-cert", "FILE", "client certificate"},
    {"tls_key", "--tls-key", "FILE", "client key"},
    {"prune_stale_nodes", "--prune-stale-nodes", "", "after joining, remove down nodes with this hostname"},
    {"reap_down_after", "--reap-down-after", "DURATION",
     "run, managers: the leader removes nodes swarm-bootstrap joined once down this long (default off)"},
    {"cloud", "--cloud", "auto|azure|aws|gcp|none",
     "run: act on this cloud's termination notices (default auto: from the SMBIOS strings, no network)"},
    {"metadata_endpoint", "--metadata-endpoint", "URL",
     "run: the cloud's metadata service (default http://169.254.169.254)"},
    {"dmi_dir", "--dmi-dir", "DIR", "run: read the SMBIOS strings from this directory (tests)"},
    {"state_file", "--state-file", "FILE", "where to record the last outcome"},
    {"lock_file", "--lock-file", "PATH", "the lock that keeps one agent per node"},
    {"log_level", "--log-level", "trace|debug|info|warn|error", "how much to log (default info)"},
    {"log_format", "--log-format", "text|json", "log lines as text or as JSON objects (default text)"},
    {"ignore_preflight_errors", "--ignore-preflight-errors", "NAME,...|all",
     "checks whose errors only warn, e.g. ClockSkew,PathMTU (see swarm-bootstrap check)"},
};

void add_options(CLI::App& app, CliValues& v, bool with_dry_run, const MachineDefaults& defaults) {
    app.add_option("--config", v.config_file,
                   "configuration file (default " + defaults.config_file.string() + ")")
        ->type_name("FILE");
    for (const auto& o : join_options) {
        if (*o.value == '\0') {
            v.options[&app][o.key] = app.add_flag(std::string(o.flag), o.help);
            continue;
        }
        // One value per occurrence, so that --manager a b is an error and not two managers.
        auto* option = app.add_option(std::string(o.flag), v.values[o.key], o.help);
        if (std::string_view(o.key) == "dmi_dir") {
            option->group("");  // for tests; not in --help
        }
        v.options[&app][o.key] =
            option->type_name(o.value)->expected(1)->allow_extra_args(false)->multi_option_policy(
                CLI::MultiOptionPolicy::TakeAll);
    }
    if (with_dry_run) {
        app.add_flag("--dry-run", v.dry_run,
                     "do all the waiting and reading, print what would be done, change nothing");
    }
}

ConfigLayer command_line_layer(const CliValues& v, const CLI::App& app) {
    ConfigLayer layer{"command line", {}, {}};
    for (const auto& o : join_options) {
        auto* opt = v.options.at(&app).at(o.key);
        if (opt->count() == 0) {
            continue;
        }
        std::string key = o.key;
        if (*o.value == '\0') {
            layer.values[key] = true;
        } else if (key == "managers" || key == "ignore_preflight_errors") {
            layer.values[key] = v.values.at(key);
        } else if (key == "labels") {
            nlohmann::json labels = nlohmann::json::object();
            for (const auto& item : v.values.at(key)) {
                auto eq = item.find('=');
                if (eq == std::string::npos || eq == 0) {
                    throw Failure(ExitCode::usage,
                                  "--label '" + item + "' is not KEY=VALUE; write e.g. --label zone=a");
                }
                labels[item.substr(0, eq)] = item.substr(eq + 1);
            }
            layer.values[key] = labels;
        } else {
            layer.values[key] = v.values.at(key).back();
        }
    }
    return layer;
}

// `file`: the configuration file to read; "" for the platform default, which may be absent. With
// `may_be_absent` (service install, where --config names the file to write) a missing file is no error.
Config load_config(const CliValues& v, const CLI::App& app, std::filesystem::path file, bool may_be_absent,
                   const MachineDefaults& defaults) {
    std::vector<ConfigLayer> layers;
    if (file.empty()) {
        file = defaults.config_file;
        may_be_absent = true;
    }
    if (!may_be_absent || std::filesystem::exists(file)) {
        layers.push_back(read_config_file(file));
    }
    layers.push_back(read_config_environment(defaults.getenv));
    layers.push_back(command_line_layer(v, app));
    auto config = build_config(layers, defaults);
    config.dry_run = v.dry_run;
    return config;
}

// The tag of the line that ends a command: its name ("[join] token file ..."), as each phase tags its own.
std::string command_tag(const CLI::App& app) {
    auto parsed = app.get_subcommands();
    return parsed.empty() ? std::string("swarm-bootstrap") : parsed.front()->get_name();
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::stop_source stop, const MachineDefaults& defaults) {
    CLI::App app{"swarm-bootstrap: brings this machine's Docker engine into a swarm, reliably",
                 "swarm-bootstrap"};
    app.require_subcommand(1);
    CliValues values;

    auto* join =
        app.add_subcommand("join", "wait for the engine and a manager, join the swarm, verify, label");
    add_options(*join, values, true, defaults);

    auto* rejoin = app.add_subcommand(
        "rejoin", "leave (demoting a manager first), remove the old node entry, join again");
    add_options(*rejoin, values, true, defaults);

    bool force = false;
    bool remove_node = false;
    auto* leave = app.add_subcommand(
        "leave",
        "leave the swarm; a manager needs --force (or --drain, under the quorum guard) and is demoted first");
    add_options(*leave, values, true, defaults);
    leave->add_flag("--force", force, "also leave when this node is a manager (it is demoted first)");
    leave->add_flag("--remove-node", remove_node, "remove this node's entry through a manager afterwards");
    bool leave_drain = false;
    std::string deadline_text;
    leave->add_flag(
        "--drain", leave_drain,
        "drain first and wait (see 'drain'), demote a manager under the quorum guard, leave, then "
        "remove this node's entry through a manager; works beside the installed service");
    leave
        ->add_option("--deadline", deadline_text,
                     "with --drain: how long the drain may take (default: --timeout)")
        ->type_name("DURATION");

    bool undo = false;
    auto* drain = app.add_subcommand(
        "drain",
        "set this node's availability to drain through a manager and wait until its tasks run elsewhere "
        "(exit 9 at the deadline); works beside the installed service, whose healing it pauses");
    add_options(*drain, values, true, defaults);
    drain
        ->add_option("--deadline", deadline_text,
                     "how long to wait for the tasks to move (default: --timeout)")
        ->type_name("DURATION");
    drain->add_flag("--undo", undo,
                    "set the node back to active and let the installed service heal it again");

    bool json = false;
    auto* status = app.add_subcommand(
        "status",
        "what the engine and the managers say about this node; exit 0 only for an active, ready member");
    add_options(*status, values, false, defaults);
    status->add_flag("--json", json, "print JSON");

    bool check_json = false;
    auto* check = app.add_subcommand(
        "check", "run the named checks (engine, managers, ports, clock, MTU, hostname); exit 11 on an error");
    add_options(*check, values, false, defaults);
    check->add_flag("--json", check_json, "print JSON");

    auto* run =
        app.add_subcommand("run", "service mode: join, then watch and heal every --interval until stopped");
    add_options(*run, values, true, defaults);

    auto* service_cmd =
        app.add_subcommand("service", "register or remove `run` as a systemd unit or Windows service");
    service_cmd->require_subcommand(1);
    service::InstallOptions install_options;
    std::vector<std::string> depends_on;
    bool no_depends = false;
    bool no_start = false;
    std::string root;
    auto* install = service_cmd->add_subcommand("install", "install, enable and start the service");
    add_options(*install, values, true, defaults);
    install
        ->add_option("--depends-on", depends_on,
                     "a service the agent starts after (default docker; repeatable)")
        ->type_name("SERVICE")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    install->add_flag("--no-depends", no_depends, "depend on no other service");
    install->add_flag("--no-start", no_start, "install and enable, but do not start");
    // An installer passes one value per property (the MSI: MANAGERS=a,b LABELS=k=v,k2=v2): here the two list
    // options also take comma-separated lists, as SWARM_BOOTSTRAP_MANAGERS and SWARM_BOOTSTRAP_LABELS do.
    values.options[install]["managers"]->delimiter(',');
    values.options[install]["labels"]->delimiter(',');
    install
        ->add_option("--root", root,
                     "Linux: install into this root directory (like systemctl --root); implies --no-start")
        ->type_name("DIR");
    auto* uninstall = service_cmd->add_subcommand("uninstall", "stop and remove the service");
    uninstall->add_option("--root", root, "Linux: remove from this root directory")->type_name("DIR");
    uninstall->add_flag("--dry-run", values.dry_run, "print what would be done, change nothing");
    uninstall->add_flag("--purge", install_options.purge,
                        "also delete the configuration, state and log (the MSI's PURGE=1)");
    bool service_json = false;
    auto* service_status = service_cmd->add_subcommand(
        "status", "what the service manager reports about the service (read back); exit 0 only when running");
    service_status->add_flag("--json", service_json, "print JSON");

    auto* version = app.add_subcommand("version", "print the version, platform and Engine API range");

    // Until the configuration says otherwise, log text at info level.
    setup_logging(spdlog::level::info, LogFormat::text);
    try {
        // CLI11 takes the arguments reversed, without the program name (which argc == 0 leaves out too).
        std::vector<std::string> reversed(args.rbegin(), args.empty() ? args.rend() : args.rend() - 1);
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {
            return app.exit(e);
        }
        std::fprintf(stderr, "swarm-bootstrap: %s; see 'swarm-bootstrap --help'\n", redact(e.what()).c_str());
        return to_int(ExitCode::usage);
    }

    try {
        if (version->parsed()) {
            return commands::version();
        }
        if (service_status->parsed()) {
            return commands::service_status(install_options.name, service_json);
        }
        if (uninstall->parsed()) {
            install_options.root = root;
            install_options.dry_run = values.dry_run;
            return commands::service_uninstall(install_options);
        }
        const CLI::App* chosen = nullptr;
        for (const CLI::App* sub : {join, rejoin, leave, drain, status, check, run, install}) {
            if (sub->parsed()) {
                chosen = sub;
            }
        }
        if (chosen == nullptr) {
            return to_int(ExitCode::usage);
        }
        // service install writes its settings to --config (inside --root) and reads what is there already;
        // with --root and a --config that exists only outside it (an installer checking a staged file), it
        // reads that.
        std::filesystem::path config_file = values.config_file;
        if (chosen == install && !root.empty()) {
            auto target = config_file.empty() ? defaults.config_file : config_file;
            auto inside = std::filesystem::path(root) / target.relative_path();
            if (std::filesystem::exists(inside) || config_file.empty() ||
                !std::filesystem::exists(config_file)) {
                config_file = inside;
            }
        }
        auto config = load_config(values, *chosen, config_file, chosen == install, defaults);
        setup_logging(config.log_level, config.log_format);
        if (join->parsed()) {
            return commands::join(config, stop.get_token());
        }
        if (rejoin->parsed()) {
            return commands::rejoin(config, stop.get_token());
        }
        Duration deadline{0};
        if (!deadline_text.empty()) {
            auto parsed = parse_duration(deadline_text);
            if (!parsed || parsed->count() <= 0) {
                throw Failure(ExitCode::usage,
                              "--deadline '" + deadline_text + "' is not a duration; write e.g. 90s, 5m, 1h");
            }
            deadline = *parsed;
        }
        if (leave->parsed() && !leave_drain && !deadline_text.empty()) {
            throw Failure(ExitCode::usage, "--deadline is for 'leave --drain'; add --drain");
        }
        if (drain->parsed()) {
            if (undo && !deadline_text.empty()) {
                throw Failure(ExitCode::usage, "--undo does not wait: leave out --deadline");
            }
            return commands::drain(config, deadline, undo, stop.get_token());
        }
        if (leave->parsed() && leave_drain) {
            if (remove_node) {
                log("leave").info("--drain removes this node's entry anyway; --remove-node adds nothing");
            }
            return commands::leave_drained(config, deadline, force, stop.get_token());
        }
        if (leave->parsed()) {
            return commands::leave(config, force, remove_node, stop.get_token());
        }
        if (status->parsed()) {
            return commands::status(config, json);
        }
        if (check->parsed()) {
            return commands::check(config, check_json);
        }
        if (run->parsed()) {
            return commands::run(config, stop);
        }
        if (install->parsed()) {
            install_options.root = root;
            install_options.config_file = values.config_file;  // empty: the platform default
            install_options.dry_run = values.dry_run;
            install_options.start = !no_start && root.empty();
            if (no_depends) {
                install_options.depends_on.clear();
            } else if (!depends_on.empty()) {
                install_options.depends_on.clear();
                for (const auto& d : depends_on) {
                    if (!d.empty()) {
                        install_options.depends_on.push_back(d);
                    }
                }
            }
            nlohmann::json settings = nlohmann::json::object();
            for (const auto& [key, value] : command_line_layer(values, *install).values) {
                settings[key] = value;
            }
            return commands::service_install(settings, install_options);
        }
        return to_int(ExitCode::usage);
    } catch (const Failure& f) {
        log(command_tag(app)).error("{}", f.what());
        return to_int(f.code());
    } catch (const Stopped&) {
        log(command_tag(app)).error("interrupted before the work was done; run the command again");
        return to_int(ExitCode::internal);
    } catch (const std::exception& e) {
        log(command_tag(app)).error("unexpected internal error: {}; please report it", e.what());
        return to_int(ExitCode::internal);
    }
}

}  // namespace sb
