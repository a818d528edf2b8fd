#include "agent/config/config.hpp"

#include "sb_doctest.hpp"

#include <filesystem>
#include <fstream>

#include "common/error.hpp"

using namespace sb;
using nlohmann::json;

namespace {

using Env = std::map<std::string, std::string>;

std::function<std::optional<std::string>(const std::string&)> env_of(Env env) {
    return [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) {
            return std::nullopt;
        }
        return it->second;
    };
}

std::filesystem::path write_temp(const std::string& name, const std::string& content) {
    auto path = std::filesystem::temp_directory_path() / ("sb-config-test-" + name);
    std::ofstream(path) << content;
    return path;
}

// The message of the Failure that building the configuration throws, or "" when it succeeds.
std::string failure_of(const std::vector<ConfigLayer>& layers, Env env = {}) {
    try {
        build_config(layers, env_of(std::move(env)));
    } catch (const Failure& f) {
        CHECK(f.code() == ExitCode::usage);
        return f.what();
    }
    return "";
}

ConfigLayer cli(std::map<std::string, json> values) {
    return ConfigLayer{"command line", std::move(values), {}};
}

}  // namespace

TEST_CASE("defaults follow the contract") {
    auto c = build_config({}, env_of({}));
    CHECK(c.role == Role::worker);
    CHECK(c.listen_addr == "0.0.0.0:2377");
    CHECK(c.timeout == Duration(15 * 60'000));
    CHECK(c.backoff_initial == Duration(1000));
    CHECK(c.backoff_max == Duration(10'000));
    CHECK(c.interval == Duration(30'000));
    CHECK(c.reap_down_after == Duration(0));  // the reaper is off
    CHECK_FALSE(c.tls);
    CHECK_FALSE(c.docker_host.empty());
    CHECK_FALSE(c.state_file.empty());
}

TEST_CASE("precedence: command line > environment > file > defaults") {
    auto file = read_config_file(write_temp("prec.json", R"({
        "managers": ["10.0.0.1", "10.0.0.2"], "role": "manager", "timeout": "5m",
        "labels": {"zone": "file", "tier": "file"}, "backoff_max": "20s"})"));
    auto env = read_config_environment(env_of({{"SWARM_BOOTSTRAP_TIMEOUT", "7m"},
                                               {"SWARM_BOOTSTRAP_MANAGERS", "10.0.0.3, 10.0.0.4"},
                                               {"SWARM_BOOTSTRAP_LABELS", "tier=env,rack=r1"}}));
    auto c =
        build_config({file, env, cli({{"timeout", "9m"}, {"labels", json{{"rack", "cli"}}}})}, env_of({}));
    CHECK(c.timeout == Duration(9 * 60'000));                                       // command line
    CHECK(c.managers == std::vector<std::string>{"10.0.0.3", "10.0.0.4"});          // environment over file
    CHECK(c.role == Role::manager);                                                 // file over default
    CHECK(c.backoff_max == Duration(20'000));                                       // file
    CHECK(c.backoff_initial == Duration(1000));                                     // default
    CHECK(c.labels == Labels{{"zone", "file"}, {"tier", "env"}, {"rack", "cli"}});  // merged key by key
}

TEST_CASE("the nested tls object and DOCKER_* variables") {
    auto file = read_config_file(write_temp(
        "tls.json", R"({"tls": {"ca": "/c/ca.pem", "cert": "/c/cert.pem", "key": "/c/key.pem"}})"));
    auto c = build_config({file}, env_of({}));
    CHECK(c.tls);
    CHECK(c.tls_options.ca_file == "/c/ca.pem");

    auto d = build_config({}, env_of({{"DOCKER_HOST", "tcp://127.0.0.1:2375"},
                                      {"DOCKER_CERT_PATH", "/certs"},
                                      {"DOCKER_TLS_VERIFY", "1"}}));
    CHECK(d.docker_host == "tcp://127.0.0.1:2375");
    CHECK(d.tls);
    CHECK(d.tls_options.key_file == (std::filesystem::path("/certs") / "key.pem").string());

    // As for the docker CLI, DOCKER_CERT_PATH alone says where the files are; it does not turn TLS on.
    auto path_only = build_config({}, env_of({{"DOCKER_CERT_PATH", "/certs"}}));
    CHECK_FALSE(path_only.tls);
    CHECK(path_only.tls_options.ca_file == (std::filesystem::path("/certs") / "ca.pem").string());

    auto explicit_host =
        build_config({cli({{"docker_host", "unix:///tmp/d.sock"}})}, env_of({{"DOCKER_HOST", "tcp://h:1"}}));
    CHECK(explicit_host.docker_host == "unix:///tmp/d.sock");
}

TEST_CASE("every bad value names its key and where it came from") {
    struct Case {
        const char* key;
        json value;
        const char* expect;
    };
    const Case cases[] = {
        {"role", "boss", "'role'"},
        {"timeout", "30", "'timeout'"},
        {"timeout", "0s", "'timeout'"},
        {"backoff_initial", "fast", "'backoff_initial'"},
        {"interval", 30, "'interval'"},
        {"availability", "paused", "'availability'"},
        {"managers", json::array({"10.0.0.5+0"}), "'managers'"},
        {"managers", "10.0.0.1", "'managers'"},
        {"docker_host", "/var/run/docker.sock", "'docker_host'"},
        {"tls", "maybe", "'tls'"},
        {"prune_stale_nodes", 3, "'prune_stale_nodes'"},
        {"reap_down_after", "0s", "'reap_down_after'"},
        {"reap_down_after", "30", "'reap_down_after'"},
        {"log_level", "loud", "'log_level'"},
        {"log_format", "xml", "'log_format'"},
        {"labels", json::array({"a=b"}), "'labels'"},
        {"labels", json{{"bad key", "v"}}, "'labels'"},
        {"labels", json{{"k", 1}}, "'labels.k'"},
        {"frobnicate", "x", "'frobnicate'"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.key);
        CAPTURE(c.value.dump());
        auto message = failure_of({cli({{c.key, c.value}})});
        CHECK(message.find(c.expect) != std::string::npos);
        CHECK(message.find("command line") != std::string::npos);
    }
    CHECK(failure_of({cli({{"backoff_initial", "20s"}, {"backoff_max", "5s"}})}).find("backoff_max") !=
          std::string::npos);
    CHECK(failure_of({cli({{"tls_cert", "/c.pem"}})}).find("tls_key") != std::string::npos);
    CHECK(failure_of({}, {{"DOCKER_HOST", "nonsense"}}).find("DOCKER_HOST") != std::string::npos);
}

TEST_CASE("configuration files: unknown keys, bad JSON and missing files are usage errors naming the file") {
    auto expect_file_error = [](const std::filesystem::path& path, const std::string& needle) {
        try {
            read_config_file(path);
            FAIL("no error for " << path);
        } catch (const Failure& f) {
            CHECK(f.code() == ExitCode::usage);
            CHECK(std::string(f.what()).find(path.string()) != std::string::npos);
            CHECK(std::string(f.what()).find(needle) != std::string::npos);
        }
    };
    expect_file_error(write_temp("unknown.json", R"({"managers": ["a"], "mangers": ["b"]})"), "'mangers'");
    expect_file_error(write_temp("syntax.json", R"({"managers": )"), "JSON");
    expect_file_error(write_temp("array.json", R"(["10.0.0.1"])"), "JSON object");
    expect_file_error(write_temp("tls-sub.json", R"({"tls": {"cafile": "x"}})"), "tls.cafile");
    expect_file_error(std::filesystem::temp_directory_path() / "sb-config-test-does-not-exist.json",
                      "cannot read");
}

TEST_CASE("environment lists and labels") {
    auto env = read_config_environment(env_of({{"SWARM_BOOTSTRAP_MANAGERS", "a.example,10.0.0.6+2"},
                                               {"SWARM_BOOTSTRAP_PRUNE_STALE_NODES", "true"},
                                               {"SWARM_BOOTSTRAP_LABELS", "zone=a, disk=ssd"}}));
    CHECK(env.source == "environment");
    auto c = build_config({env}, env_of({}));
    CHECK(c.managers == std::vector<std::string>{"a.example", "10.0.0.6+2"});
    CHECK(c.prune_stale_nodes);
    CHECK(c.labels == Labels{{"zone", "a"}, {"disk", "ssd"}});
    CHECK_THROWS_AS(read_config_environment(env_of({{"SWARM_BOOTSTRAP_LABELS", "novalue"}})), Failure);
    auto message = failure_of({read_config_environment(env_of({{"SWARM_BOOTSTRAP_TIMEOUT", "soon"}}))});
    CHECK(message.find("SWARM_BOOTSTRAP_TIMEOUT") != std::string::npos);
}

TEST_CASE("the node's swarm addresses follow docker's rules; listen is filled in as the docker CLI does") {
    CHECK(build_config({cli({{"listen_addr", "eth0"}})}, env_of({})).listen_addr == "eth0:2377");
    CHECK(build_config({cli({{"listen_addr", ":4567"}})}, env_of({})).listen_addr == "0.0.0.0:4567");
    CHECK(build_config({cli({{"advertise_addr", "eth0:2377"}})}, env_of({})).advertise_addr == "eth0:2377");
    CHECK(build_config({cli({{"data_path_addr", "eth1"}})}, env_of({})).data_path_addr == "eth1");
    CHECK(failure_of({cli({{"listen_addr", "10.0.0.5:2377:1"}})}).find("'listen_addr' (command line)") !=
          std::string::npos);
    auto file = read_config_file(write_temp("addr.json", R"({"advertise_addr": "0.0.0.0"})"));
    CHECK(failure_of({file}).find(file.source) != std::string::npos);
    CHECK(failure_of({read_config_environment(env_of({{"SWARM_BOOTSTRAP_DATA_PATH_ADDR", "10.0.0.5:4789"}}))})
              .find("environment variable SWARM_BOOTSTRAP_DATA_PATH_ADDR") != std::string::npos);
}

TEST_CASE("label keys and values follow Docker's rules") {
    CHECK(
        build_config({cli({{"labels", json{{"com.example.zone_1/a-b", "ü"}}}})}, env_of({})).labels.size() ==
        1);
    CHECK(failure_of({cli({{"labels", json{{"io.docker.x", "1"}}}})}).find("reserves") != std::string::npos);
    CHECK(failure_of({cli({{"labels", json{{"org.dockerproject.x", "1"}}}})}).find("reserves") !=
          std::string::npos);
    CHECK(failure_of({cli({{"labels", json{{"zone", 3}}}})}).find("expected a string") != std::string::npos);
    CHECK(failure_of({cli({{"labels", json{{"a\nb", "1"}}}})}).find("\"a\\nb\"") != std::string::npos);
    CHECK(failure_of({cli({{"labels", json{{"zone", std::string("\xff\xfe")}}}})}).find("UTF-8") !=
          std::string::npos);
    CHECK(failure_of({cli({{"labels", json{{"", "1"}}}})}).find("empty") != std::string::npos);
    // The agent's own mark of the nodes it joined is not for a user to set (or to forge).
    CHECK(failure_of({cli({{"labels", json{{"swarm-bootstrap.joined", "false"}}}})})
              .find("the agent's own mark of the nodes it joined") != std::string::npos);
}

TEST_CASE("the reaper's grace: --reap-down-after, SWARM_BOOTSTRAP_REAP_DOWN_AFTER, reap_down_after") {
    CHECK(build_config({cli({{"reap_down_after", "30s"}})}, env_of({})).reap_down_after == Duration(30'000));
    auto env = read_config_environment(env_of({{"SWARM_BOOTSTRAP_REAP_DOWN_AFTER", "10m"}}));
    CHECK(build_config({env}, env_of({})).reap_down_after == Duration(600'000));
    auto file = read_config_file(write_temp("reap.json", R"({"reap_down_after": "1h"})"));
    CHECK(build_config({file}, env_of({})).reap_down_after == Duration(3'600'000));
    CHECK(failure_of({read_config_environment(env_of({{"SWARM_BOOTSTRAP_REAP_DOWN_AFTER", "-1s"}}))})
              .find("environment variable SWARM_BOOTSTRAP_REAP_DOWN_AFTER") != std::string::npos);
}

TEST_CASE("durations need a unit and must be positive; the message says how to write one") {
    CHECK(failure_of({cli({{"timeout", "30"}})}).find("has no unit; write e.g. 30s") != std::string::npos);
    for (const char* bad : {"0s", "-5s", "1.2.3s", ".s", "5d", "s", "1e3s", "99999999999h"}) {
        CAPTURE(bad);
        CHECK(failure_of({cli({{"timeout", bad}})}).find("'timeout' (command line)") != std::string::npos);
    }
}

TEST_CASE("every value's source is kept for later messages") {
    auto env = read_config_environment(env_of({{"SWARM_BOOTSTRAP_TOKEN_FILE", "/t"}}));
    auto c = build_config({env, cli({{"role", "manager"}})}, env_of({{"DOCKER_CERT_PATH", "/certs"}}));
    CHECK(c.source_of("token_file") == "environment variable SWARM_BOOTSTRAP_TOKEN_FILE");
    CHECK(c.source_of("role") == "command line");
    CHECK(c.source_of("tls_ca") == "environment variable DOCKER_CERT_PATH");
    CHECK(c.source_of("timeout") == "default");
}

TEST_CASE("the machine's defaults are injected, never read from the platform in tests") {
    MachineDefaults machine{env_of({}), "/nonexistent/config.json", "/tmp/sb-test/state.json",
                            "/tmp/sb-test/lock", "unix:///tmp/sb-test/docker.sock"};
    auto c = build_config({}, machine);
    CHECK(c.state_file == "/tmp/sb-test/state.json");
    CHECK(c.lock_file == "/tmp/sb-test/lock");
    CHECK(c.docker_host == "unix:///tmp/sb-test/docker.sock");
}

TEST_CASE(
    "ignore_preflight_errors: check names in any case, lists or comma-separated, 'all'; others are errors") {
    auto c = build_config(
        {cli({{"ignore_preflight_errors", json::array({"clockskew,PathMTU", "hostname"})}})}, env_of({}));
    CHECK(c.ignore_preflight_errors == std::set<std::string>{"ClockSkew", "PathMTU", "Hostname"});
    c = build_config({cli({{"ignore_preflight_errors", "ALL"}})}, env_of({}));
    CHECK(c.ignore_preflight_errors == std::set<std::string>{"all"});
    c = build_config({read_config_environment(
                         env_of({{"SWARM_BOOTSTRAP_IGNORE_PREFLIGHT_ERRORS", "DataPathPort, Firewall"}}))},
                     env_of({}));
    CHECK(c.ignore_preflight_errors == std::set<std::string>{"DataPathPort", "Firewall"});
    auto why = failure_of({cli({{"ignore_preflight_errors", json::array({"ClockSkew", "NoSuchCheck"})}})});
    CHECK(why.find("'NoSuchCheck' is no check") != std::string::npos);
    CHECK(why.find("EngineVersion, VersionGap") != std::string::npos);
    CHECK(failure_of({cli({{"ignore_preflight_errors", 7}})}).find("expected a list of check names") !=
          std::string::npos);
}
