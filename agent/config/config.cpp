#include "agent/config/config.hpp"

#include "agent/cloud/watchers.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <tuple>

#include "agent/check/check_names.hpp"
#include "agent/config/manager_address.hpp"
#include "agent/config/swarm_address.hpp"
#include "agent/node/node_labels.hpp"
#include "agent/platform/home.hpp"
#include "agent/platform/platform.hpp"
#include "common/error.hpp"

namespace sb {

using nlohmann::json;

namespace {

enum class Kind { string, list, labels, duration, boolean };

struct KeyInfo {
    const char* key;
    Kind kind;
};

// The single list of configuration keys: file, environment and command line all derive from it.
constexpr KeyInfo key_table[] = {
    {"managers", Kind::list},
    {"role", Kind::string},
    {"token_file", Kind::string},
    {"labels", Kind::labels},
    {"advertise_addr", Kind::string},
    {"listen_addr", Kind::string},
    {"data_path_addr", Kind::string},
    {"availability", Kind::string},
    {"timeout", Kind::duration},
    {"backoff_initial", Kind::duration},
    {"backoff_max", Kind::duration},
    {"interval", Kind::duration},
    {"docker_host", Kind::string},
    {"tls", Kind::boolean},
    {"tls_ca", Kind::string},
    {"tls_cert", Kind::string},
    {"tls_key", Kind::string},
    {"prune_stale_nodes", Kind::boolean},
    {"state_file", Kind::string},
    {"lock_file", Kind::string},
    {"log_level", Kind::string},
    {"log_format", Kind::string},
    {"reap_down_after", Kind::duration},
    {"ignore_preflight_errors", Kind::list},
    {"cloud", Kind::string},
    {"metadata_endpoint", Kind::string},
    {"dmi_dir", Kind::string},
};

const KeyInfo* find_key(std::string_view key) {
    for (const auto& k : key_table) {
        if (key == k.key) {
            return &k;
        }
    }
    return nullptr;
}

[[noreturn]] void bad(const std::string& key, const std::string& source, const std::string& problem) {
    throw Failure(ExitCode::usage, "configuration key '" + key + "' (" + source + "): " + problem);
}

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in{std::string(text)};
    while (std::getline(in, item, sep)) {
        auto b = item.find_first_not_of(" \t");
        auto e = item.find_last_not_of(" \t");
        if (b != std::string::npos) {
            out.push_back(item.substr(b, e - b + 1));
        }
    }
    return out;
}

// Turns "k=v" strings into a JSON object.
json labels_from_strings(const std::vector<std::string>& items, const std::string& source) {
    json obj = json::object();
    for (const auto& item : items) {
        auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0) {
            bad("labels", source, "'" + item + "' is not KEY=VALUE; write e.g. --label zone=a");
        }
        obj[item.substr(0, eq)] = item.substr(eq + 1);
    }
    return obj;
}

std::string expect_string(const std::string& key, const json& v, const std::string& source) {
    if (!v.is_string()) {
        bad(key, source, "expected a string, got " + v.dump());
    }
    return v.get<std::string>();
}

Duration expect_duration(const std::string& key, const json& v, const std::string& source) {
    auto text = expect_string(key, v, source);
    auto d = parse_duration(text);
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
        bad(key, source, "'" + text + "' has no unit; write e.g. " + text + "s or " + text + "m");
    }
    if (!d || d->count() <= 0) {
        bad(key, source,
            "'" + text +
                "' is not a positive duration (units ms, s, m, h); write e.g. 500ms, 30s, 15m or 1h30m");
    }
    return *d;
}

bool expect_bool(const std::string& key, const json& v, const std::string& source) {
    if (v.is_boolean()) {
        return v.get<bool>();
    }
    if (v.is_string()) {
        auto s = v.get<std::string>();
        if (s == "true" || s == "1" || s == "yes") {
            return true;
        }
        if (s == "false" || s == "0" || s == "no") {
            return false;
        }
    }
    // dump() with replace: a value from the environment need not be UTF-8, and a strict dump() would throw.
    bad(key, source, "expected true or false, got " + v.dump(-1, ' ', false, json::error_handler_t::replace));
}

template <class T>
T expect_choice(const std::string& key, const json& v, const std::string& source,
                std::initializer_list<std::pair<const char*, T>> choices) {
    auto text = expect_string(key, v, source);
    std::string names;
    for (const auto& [name, value] : choices) {
        if (text == name) {
            return value;
        }
        names += names.empty() ? name : std::string("|") + name;
    }
    bad(key, source, "'" + text + "' is not one of " + names);
}

// The engine's JSON carries only UTF-8: exactly what nlohmann_json's serializer accepts.
bool is_valid_utf8(const std::string& text) {
    try {
        (void)json(text).dump();
        return true;
    } catch (const json::type_error&) {
        return false;
    }
}

// Docker's label rules ("Docker object labels"): a key is letters, digits, '.', '_', '/' and '-', and the
// com.docker.*, io.docker.* and org.dockerproject.* namespaces are Docker's own. A value is any text; it
// must be UTF-8 to travel in the engine's JSON.
void check_label(const std::string& k, const json& v, const std::string& source) {
    if (k.empty()) {
        bad("labels", source, "a label key is empty; write KEY=VALUE, e.g. zone=a");
    }
    for (char c : k) {
        bool ok =
            std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '/' || c == '-';
        if (!ok || static_cast<unsigned char>(c) >= 0x80) {
            bad("labels", source,
                "label key " + (is_valid_utf8(k) ? json(k).dump() : std::string("(not UTF-8)")) +
                    " may hold only letters, digits, '.', '_', '/' and '-' (Docker's label key rules)");
        }
    }
    for (const char* reserved : {"com.docker.", "io.docker.", "org.dockerproject."}) {
        if (k.starts_with(reserved)) {
            bad("labels", source,
                "label key '" + k + "' is in the " + std::string(reserved) +
                    "* namespace, which Docker reserves");
        }
    }
    if (k == joined_label) {
        bad("labels", source,
            "label key '" + k +
                "' is the agent's own mark of the nodes it joined (the reaper removes only those); choose "
                "another key");
    }
    if (!v.is_string()) {
        bad("labels." + k, source, "expected a string, got " + v.dump());
    }
    if (!is_valid_utf8(v.get_ref<const std::string&>())) {
        bad("labels." + k, source, "the value is not valid UTF-8 text");
    }
}

}  // namespace

std::optional<std::string> system_getenv(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) {
        return std::nullopt;
    }
    return std::string(v);
}

const std::vector<std::string>& config_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k;
        for (const auto& info : key_table) {
            k.emplace_back(info.key);
        }
        return k;
    }();
    return keys;
}

ConfigLayer read_config_file(const std::filesystem::path& path) {
    ConfigLayer layer{path.string(), {}, {}};
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Failure(ExitCode::usage, "cannot read configuration file " + path.string() +
                                           "; check the path given with --config");
    }
    std::stringstream buf;
    buf << in.rdbuf();
    json doc = json::parse(buf.str(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        throw Failure(ExitCode::usage,
                      "configuration file " + path.string() +
                          " is not a JSON object; check its syntax (e.g. with python3 -m json.tool)");
    }
    for (auto& [key, value] : doc.items()) {
        if (key == "tls" && value.is_object()) {
            // "tls": {"ca": ..., "cert": ..., "key": ...} is the nested spelling of tls_ca, tls_cert,
            // tls_key.
            for (auto& [sub, subvalue] : value.items()) {
                if (sub != "ca" && sub != "cert" && sub != "key") {
                    bad("tls." + sub, layer.source, "unknown key; known: ca, cert, key");
                }
                layer.values["tls_" + sub] = subvalue;
            }
            layer.values["tls"] = true;
            continue;
        }
        if (find_key(key) == nullptr) {
            bad(key, layer.source, "unknown key; see the README for the keys that exist");
        }
        if (find_key(key)->kind == Kind::list && value.is_string()) {
            value = json::array({value});
        }
        layer.values[key] = value;
    }
    return layer;
}

ConfigLayer read_config_environment(
    const std::function<std::optional<std::string>(const std::string&)>& getenv) {
    ConfigLayer layer{"environment", {}, {}};
    for (const auto& info : key_table) {
        std::string name = "SWARM_BOOTSTRAP_";
        for (const char* c = info.key; *c != '\0'; ++c) {
            name += static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
        }
        auto value = getenv(name);
        if (!value) {
            continue;
        }
        std::string source = "environment variable " + name;
        switch (info.kind) {
            case Kind::list:
                layer.values[info.key] = split(*value, ',');
                break;
            case Kind::labels:
                layer.values[info.key] = labels_from_strings(split(*value, ','), source);
                break;
            default:
                layer.values[info.key] = *value;
        }
        layer.key_sources[info.key] = source;
    }
    return layer;
}

MachineDefaults machine_defaults() {
    return MachineDefaults{system_getenv, platform::default_config_path(), platform::default_state_path(),
                           platform::default_lock_name(), platform::default_docker_host()};
}

Config build_config(const std::vector<ConfigLayer>& layers,
                    const std::function<std::optional<std::string>(const std::string&)>& getenv) {
    auto defaults = machine_defaults();
    defaults.getenv = getenv;
    return build_config(layers, defaults);
}

namespace {

// The layers merged: the last layer that sets a key wins, except labels, which merge key by key.
struct MergedLayers {
    std::map<std::string, std::pair<json, std::string>> values;  // key: value and the layer it came from
    json labels = json::object();
    std::map<std::string, std::string> label_source;

    bool has(const std::string& key) const { return values.count(key) != 0; }
};

MergedLayers merge_layers(const std::vector<ConfigLayer>& layers) {
    MergedLayers merged;
    for (const auto& layer : layers) {
        for (const auto& [key, value] : layer.values) {
            if (key == "labels") {
                if (!value.is_object()) {
                    bad(key, layer.source_of(key), "expected an object of \"key\": \"value\" pairs");
                }
                for (auto& [lk, lv] : value.items()) {
                    merged.labels[lk] = lv;
                    merged.label_source[lk] = layer.source_of(key);
                }
                continue;
            }
            merged.values[key] = {value, layer.source_of(key)};
        }
    }
    return merged;
}

void set_labels(Config& c, const MergedLayers& merged) {
    for (auto& [lk, lv] : merged.labels.items()) {
        const auto& source = merged.label_source.at(lk);
        check_label(lk, lv, source);
        c.labels[lk] = lv.get<std::string>();
    }
    if (!merged.label_source.empty()) {
        c.sources["labels"] = merged.label_source.begin()->second;
    }
}

// Sets one key of `c` from its merged value; throws Failure (usage) when the value is not valid.
using KeySetter = void (*)(Config& c, const std::string& key, const json& v, const std::string& source);

void set_managers(Config& c, const std::string& key, const json& v, const std::string& source) {
    if (!v.is_array()) {
        bad(key, source, "expected a list of manager addresses");
    }
    for (const auto& m : v) {
        auto text = expect_string(key, m, source);
        if (auto spec = parse_manager_spec(text); !spec) {
            bad(key, source, spec.error());
        }
        c.managers.push_back(text);
    }
}

// An address that may be left empty (the engine's choice), else one that `check` accepts.
void set_optional_addr(std::string& field, sb::expected<void, std::string> (*check)(std::string_view),
                       const char* examples, const std::string& key, const json& v,
                       const std::string& source) {
    field = expect_string(key, v, source);
    if (auto ok = field.empty() ? sb::expected<void, std::string>{} : check(field); !ok) {
        bad(key, source, ok.error() + "; write e.g. " + examples);
    }
}

void set_advertise_addr(Config& c, const std::string& key, const json& v, const std::string& source) {
    set_optional_addr(c.advertise_addr, check_advertise_addr, "10.0.0.7, 10.0.0.7:2377 or eth0", key, v,
                      source);
}

void set_listen_addr(Config& c, const std::string& key, const json& v, const std::string& source) {
    auto text = expect_string(key, v, source);
    auto listen = normalize_listen_addr(text);
    if (!listen) {
        bad(key, source, listen.error() + "; write e.g. 0.0.0.0:2377, 10.0.0.7:2377 or eth0:2377");
    }
    c.listen_addr = *listen;
}

void set_data_path_addr(Config& c, const std::string& key, const json& v, const std::string& source) {
    set_optional_addr(c.data_path_addr, check_data_path_addr, "10.0.0.7 or eth0", key, v, source);
}

void set_docker_host(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.docker_host = expect_string(key, v, source);
    if (auto ep = parse_endpoint(c.docker_host); !ep) {
        bad(key, source, ep.error());
    }
}

// A string is one comma-separated list, as --ignore-preflight-errors takes it.
void set_ignore_preflight_errors(Config& c, const std::string& key, const json& v,
                                 const std::string& source) {
    std::vector<std::string> items;
    if (v.is_string()) {
        items = split(v.get<std::string>(), ',');
    } else if (v.is_array()) {
        for (const auto& item : v) {
            for (auto& part : split(expect_string(key, item, source), ',')) {
                items.push_back(std::move(part));
            }
        }
    } else {
        bad(key, source, "expected a list of check names");
    }
    for (const auto& item : items) {
        auto known = check::canonical_check_name(item);
        if (!known) {
            bad(key, source,
                "'" + item + "' is no check; write 'all' or names from: " + check::check_names_text());
        }
        c.ignore_preflight_errors.insert(*known);
    }
}

void set_metadata_endpoint(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.metadata_endpoint = expect_string(key, v, source);
    if (auto ep = cloud::metadata_endpoint(c.metadata_endpoint); !ep) {
        bad(key, source, ep.error());
    }
}

// Keys whose value is a plain string, a duration or a boolean, by the member they set.
template <auto member>
void set_string(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.*member = expect_string(key, v, source);
}

template <auto member>
void set_duration(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.*member = expect_duration(key, v, source);
}

template <auto member>
void set_bool(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.*member = expect_bool(key, v, source);
}

void set_tls_ca(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.tls_options.ca_file = expect_string(key, v, source);
}

void set_tls_cert(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.tls_options.cert_file = expect_string(key, v, source);
}

void set_tls_key(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.tls_options.key_file = expect_string(key, v, source);
}

void set_role(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.role = expect_choice<Role>(key, v, source, {{"worker", Role::worker}, {"manager", Role::manager}});
}

void set_availability(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.availability = expect_choice<std::string>(
        key, v, source, {{"active", "active"}, {"pause", "pause"}, {"drain", "drain"}});
}

void set_cloud(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.cloud = expect_choice<std::string>(
        key, v, source,
        {{"auto", "auto"}, {"azure", "azure"}, {"aws", "aws"}, {"gcp", "gcp"}, {"none", "none"}});
}

void set_log_level(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.log_level = expect_choice<spdlog::level::level_enum>(key, v, source,
                                                           {{"trace", spdlog::level::trace},
                                                            {"debug", spdlog::level::debug},
                                                            {"info", spdlog::level::info},
                                                            {"warn", spdlog::level::warn},
                                                            {"error", spdlog::level::err}});
}

void set_log_format(Config& c, const std::string& key, const json& v, const std::string& source) {
    c.log_format =
        expect_choice<LogFormat>(key, v, source, {{"text", LogFormat::text}, {"json", LogFormat::json}});
}

const std::map<std::string_view, KeySetter>& key_setters() {
    static const std::map<std::string_view, KeySetter> setters = {
        {"managers", set_managers},
        {"role", set_role},
        {"token_file", set_string<&Config::token_file>},
        {"advertise_addr", set_advertise_addr},
        {"listen_addr", set_listen_addr},
        {"data_path_addr", set_data_path_addr},
        {"availability", set_availability},
        {"timeout", set_duration<&Config::timeout>},
        {"backoff_initial", set_duration<&Config::backoff_initial>},
        {"backoff_max", set_duration<&Config::backoff_max>},
        {"interval", set_duration<&Config::interval>},
        {"docker_host", set_docker_host},
        {"tls", set_bool<&Config::tls>},
        {"tls_ca", set_tls_ca},
        {"tls_cert", set_tls_cert},
        {"tls_key", set_tls_key},
        {"ignore_preflight_errors", set_ignore_preflight_errors},
        {"prune_stale_nodes", set_bool<&Config::prune_stale_nodes>},
        {"reap_down_after", set_duration<&Config::reap_down_after>},
        {"cloud", set_cloud},
        {"metadata_endpoint", set_metadata_endpoint},
        {"dmi_dir", set_string<&Config::dmi_dir>},
        {"state_file", set_string<&Config::state_file>},
        {"lock_file", set_string<&Config::lock_file>},
        {"log_level", set_log_level},
        {"log_format", set_log_format},
    };
    return setters;
}

void set_keys(Config& c, const MergedLayers& merged) {
    for (const auto& [key, entry] : merged.values) {
        const auto& [v, source] = entry;
        c.sources[key] = source;
        auto setter = key_setters().find(key);
        if (setter == key_setters().end()) {
            bad(key, source, "unknown key; see the README for the keys that exist");
        }
        setter->second(c, key, v, source);
    }
}

void check_backoff(const Config& c, const MergedLayers& merged) {
    if (c.backoff_max < c.backoff_initial) {
        bad("backoff_max", merged.has("backoff_max") ? merged.values.at("backoff_max").second : "default",
            "must not be shorter than backoff_initial (" + format_duration(c.backoff_initial) + ")");
    }
}

// The docker CLI's environment, as the CLI itself reads it.
void resolve_docker_host(Config& c, const MachineDefaults& defaults) {
    if (!c.docker_host.empty()) {
        return;
    }
    if (auto host = defaults.getenv("DOCKER_HOST"); host && !host->empty()) {
        if (auto ep = parse_endpoint(*host); !ep) {
            bad("docker_host", "environment variable DOCKER_HOST", ep.error());
        }
        c.docker_host = *host;
        c.sources["docker_host"] = "environment variable DOCKER_HOST";
    } else {
        c.docker_host = defaults.docker_host;
    }
}

// As the docker CLI: with TLS on and no DOCKER_CERT_PATH, the files of its configuration directory
// (DOCKER_CONFIG, else ~/.docker; %USERPROFILE%\.docker on Windows) that exist. The Windows service runs
// as LocalSystem, whose profile has none: it uses the paths in its configuration file.
void find_docker_config_tls_files(Config& c, const MachineDefaults& defaults) {
    const auto& getenv = defaults.getenv;
    std::filesystem::path dir;
    if (auto config_dir = getenv("DOCKER_CONFIG"); config_dir && !config_dir->empty()) {
        dir = *config_dir;
    } else if (auto home = getenv(platform::home_variable()); home && !home->empty()) {
        dir = std::filesystem::path(*home) / ".docker";
    }
    std::error_code ec;
    if (!dir.empty() && c.tls_options.ca_file.empty() && std::filesystem::exists(dir / "ca.pem", ec)) {
        c.tls_options.ca_file = (dir / "ca.pem").string();
    }
    if (!dir.empty() && c.tls_options.cert_file.empty() && c.tls_options.key_file.empty() &&
        std::filesystem::exists(dir / "cert.pem", ec) && std::filesystem::exists(dir / "key.pem", ec)) {
        c.tls_options.cert_file = (dir / "cert.pem").string();
        c.tls_options.key_file = (dir / "key.pem").string();
    }
}

// TLS files given as such (options, file, SWARM_BOOTSTRAP_*) turn TLS on; DOCKER_CERT_PATH only says
// where the files are, as for the docker CLI, where DOCKER_TLS_VERIFY is what turns it on.
void resolve_tls(Config& c, const MergedLayers& merged, const MachineDefaults& defaults) {
    const auto& getenv = defaults.getenv;
    if (!c.tls_options.ca_file.empty() || !c.tls_options.cert_file.empty()) {
        if (!merged.has("tls")) {
            c.tls = true;
        }
    }
    auto cert_path = getenv("DOCKER_CERT_PATH");
    auto tls_verify = getenv("DOCKER_TLS_VERIFY");
    if (cert_path && !cert_path->empty()) {
        std::filesystem::path dir(*cert_path);
        for (auto [key, file, name] : {std::tuple{"tls_ca", &c.tls_options.ca_file, "ca.pem"},
                                       {"tls_cert", &c.tls_options.cert_file, "cert.pem"},
                                       {"tls_key", &c.tls_options.key_file, "key.pem"}}) {
            if (file->empty()) {
                *file = (dir / name).string();
                c.sources[key] = "environment variable DOCKER_CERT_PATH";
            }
        }
    }
    if (tls_verify && !tls_verify->empty() && !merged.has("tls")) {
        c.tls = true;
    }
    if (c.tls && (!cert_path || cert_path->empty())) {
        find_docker_config_tls_files(c, defaults);
    }
}

void check_client_key_pair(const Config& c) {
    if (c.tls_options.cert_file.empty() != c.tls_options.key_file.empty()) {
        bad(c.tls_options.cert_file.empty() ? "tls_cert" : "tls_key", "configuration",
            "a client certificate needs its key and the key its certificate; set both tls_cert and tls_key");
    }
}

void default_paths(Config& c, const MachineDefaults& defaults) {
    if (c.state_file.empty()) {
        c.state_file = defaults.state_file;
    }
    if (c.lock_file.empty()) {
        c.lock_file = defaults.lock_file;
    }
}

}  // namespace

Config build_config(const std::vector<ConfigLayer>& layers, const MachineDefaults& defaults) {
    auto merged = merge_layers(layers);
    Config c;
    set_labels(c, merged);
    set_keys(c, merged);
    check_backoff(c, merged);
    resolve_docker_host(c, defaults);
    resolve_tls(c, merged, defaults);
    check_client_key_pair(c);
    default_paths(c, defaults);
    return c;
}

}  // namespace sb
