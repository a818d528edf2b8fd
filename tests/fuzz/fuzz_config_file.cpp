// The configuration file and every value parser behind it, as one run of the agent sees them: the file's
// JSON, then SWARM_BOOTSTRAP_* and DOCKER_* variables, merged and validated by build_config.
//
// Input: the file's content, optionally followed by a line "#env" and NAME=VALUE lines for the environment.
// A Failure is the documented answer to a bad value; any other exception, a crash or a sanitizer report is
// a finding.

#include <map>
#include <optional>
#include <string>

#include "agent/config/config.hpp"
#include "agent/config/manager_address.hpp"
#include "common/error.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

constexpr std::string_view env_marker = "\n#env\n";

std::map<std::string, std::string> parse_environment(std::string_view text) {
    std::map<std::string, std::string> env;
    while (!text.empty()) {
        auto end = text.find('\n');
        auto line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        auto eq = line.find('=');
        if (eq != std::string_view::npos && eq > 0) {
            env[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
        }
    }
    return env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static sb::fuzz::MemoryFile file("config.json");
    sb::fuzz::Input input(data, size);
    auto text = input.rest();
    auto marker = text.find(env_marker);
    auto env = parse_environment(marker == std::string_view::npos ? std::string_view()
                                                                  : text.substr(marker + env_marker.size()));
    file.assign(text.substr(0, marker));
    auto getenv = [&env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    try {
        std::vector<sb::ConfigLayer> layers;
        layers.push_back(sb::read_config_file(file.path()));
        layers.push_back(sb::read_config_environment(getenv));
        auto config = sb::build_config(layers, getenv);
        // What build_config promises about a configuration it accepts.
        sb::fuzz::check(config.timeout.count() > 0 && config.interval.count() > 0);
        sb::fuzz::check(config.backoff_initial.count() > 0 && config.backoff_initial <= config.backoff_max);
        sb::fuzz::check(config.tls_options.cert_file.empty() == config.tls_options.key_file.empty());
        sb::fuzz::check(!config.state_file.empty() && sb::parse_endpoint(config.docker_host).has_value());
        for (const auto& manager : config.managers) {
            sb::fuzz::check(sb::parse_manager_spec(manager).has_value());
        }
    } catch (const sb::Failure& f) {
        sb::fuzz::check(f.code() == sb::ExitCode::usage);
    }
    return 0;
}
