#include "agent/commands/command_support.hpp"
#include "agent/commands/commands.hpp"
#include "agent/config/config.hpp"
#include "agent/platform/platform.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::commands {

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
    if (!options.purge) {
        return 0;  // the configuration and state stay for the next install
    }
    // --purge: the directories of the configuration file and the state file (on Windows both
    // %ProgramData%\swarm-bootstrap: config, state, log, token copy).
    for (const auto& file : {platform::default_config_path(), platform::default_state_path()}) {
        auto dir =
            options.root.empty() ? file.parent_path() : options.root / file.parent_path().relative_path();
        if (options.dry_run) {
            log("service").info("dry run: would delete {}", dir.string());
            continue;
        }
        std::error_code ec;
        auto removed = std::filesystem::remove_all(dir, ec);
        if (ec) {
            throw Failure(ExitCode::internal, "cannot delete " + dir.string() + ": " + ec.message());
        }
        if (removed > 0) {
            log("service").info("deleted {} ({} files and directories)", dir.string(), removed);
        }
    }
    return 0;
}

}  // namespace sb::commands
