#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <spdlog/common.h>
#include <nlohmann/json.hpp>

#include "common/duration.hpp"
#include "common/engine_types.hpp"
#include "common/logging.hpp"
#include "common/transport.hpp"

namespace sb {

enum class Role { worker, manager };

// Everything the commands need, after the layers (defaults < file < environment < command line) are merged
// and every value is checked.
struct Config {
    std::vector<std::string> managers;
    Role role = Role::worker;
    std::filesystem::path token_file;
    Labels labels;
    std::string advertise_addr;
    std::string listen_addr = "0.0.0.0:2377";
    std::string data_path_addr;
    std::string availability;  // empty: the engine's default (active)
    Duration timeout{15 * 60'000};
    Duration backoff_initial{1000};
    Duration backoff_max{10'000};
    Duration interval{30'000};
    std::string docker_host;  // empty: DOCKER_HOST, else the platform default
    bool tls = false;         // TLS to managers (default port 2376)
    TlsOptions tls_options;
    bool prune_stale_nodes = false;
    // run, on the managers: the leader removes the entries of nodes this agent joined once they have been
    // down this long (zero: off).
    Duration reap_down_after{0};
    // Check names (as check_names.hpp spells them, or "all") whose errors only warn.
    std::set<std::string> ignore_preflight_errors;
    // run: whose termination notices to act on: auto (from the SMBIOS strings, no network), azure, aws, gcp,
    // none.
    std::string cloud = "auto";
    std::string metadata_endpoint;  // empty: the cloud's own (169.254.169.254)
    std::filesystem::path dmi_dir;  // empty: this machine's SMBIOS; tests point it at a directory
    std::filesystem::path state_file;
    std::string lock_file;
    spdlog::level::level_enum log_level = spdlog::level::info;
    LogFormat log_format = LogFormat::text;
    bool dry_run = false;
    // Where each key's value came from ("command line", "environment variable X", a file's path); keys not
    // set anywhere are "default".
    std::map<std::string, std::string> sources;

    std::string source_of(const std::string& key) const {
        auto it = sources.find(key);
        return it != sources.end() ? it->second : "default";
    }
};

// One configuration layer: key -> value, as JSON, with where it came from (for error messages).
struct ConfigLayer {
    std::string source;  // "/etc/swarm-bootstrap/config.json", "environment", "command line"
    std::map<std::string, nlohmann::json> values;
    std::map<std::string, std::string>
        key_sources;  // a finer source for some keys ("environment variable X")

    const std::string& source_of(const std::string& key) const {
        auto it = key_sources.find(key);
        return it != key_sources.end() ? it->second : source;
    }
};

// The keys that exist, with their file/env spelling ("backoff_initial"). The command line spells them with
// dashes ("--backoff-initial").
const std::vector<std::string>& config_keys();

// Reads a JSON configuration file. Throws Failure(usage) naming the file for unreadable or invalid content
// and for unknown keys.
ConfigLayer read_config_file(const std::filesystem::path& path);

// SWARM_BOOTSTRAP_<KEY> variables; lists are comma-separated, labels are k=v,k=v.
// `getenv` is injected for tests.
ConfigLayer read_config_environment(
    const std::function<std::optional<std::string>(const std::string&)>& getenv);

// Merges the layers in order (later wins; labels merge key by key) over the defaults and validates every
// value. Throws Failure(usage) with the key and the layer that gave the bad value.
Config build_config(const std::vector<ConfigLayer>& layers,
                    const std::function<std::optional<std::string>(const std::string&)>& getenv);

std::optional<std::string> system_getenv(const std::string& name);

// What the configuration falls back on from the machine: its environment and the platform's default paths.
// Injected into the command line, so that no test reads or touches the machine's own files or lock.
struct MachineDefaults {
    std::function<std::optional<std::string>(const std::string&)> getenv;
    std::filesystem::path config_file;
    std::filesystem::path state_file;
    std::string lock_file;
    std::string docker_host;
};

// The real machine's: system_getenv and the platform defaults.
MachineDefaults machine_defaults();

// build_config over `defaults` instead of the platform's paths and the process environment.
Config build_config(const std::vector<ConfigLayer>& layers, const MachineDefaults& defaults);

}  // namespace sb
