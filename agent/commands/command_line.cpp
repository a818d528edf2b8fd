#include "agent/commands/command_line.hpp"

#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::commands {

namespace {

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

}  // namespace

void add_config_options(CLI::App& app, CommandLine& v, bool with_dry_run) {
    app.add_option("--config", v.config_file,
                   "configuration file (default " + v.defaults.config_file.string() + ")")
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

ConfigLayer command_line_layer(const CommandLine& v, const CLI::App& app) {
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

Config load_config(const CommandLine& v, const CLI::App& app, std::filesystem::path file,
                   bool may_be_absent) {
    const auto& defaults = v.defaults;
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

Config configure(const CommandLine& cl, const CLI::App& app) {
    auto config = load_config(cl, app, cl.config_file, false);
    setup_logging(config.log_level, config.log_format);
    return config;
}

Duration parse_deadline(const std::string& text) {
    if (text.empty()) {
        return Duration{0};
    }
    auto parsed = parse_duration(text);
    if (!parsed || parsed->count() <= 0) {
        throw Failure(ExitCode::usage, "--deadline '" + text + "' is not a duration; write e.g. 90s, 5m, 1h");
    }
    return *parsed;
}

}  // namespace sb::commands
