#include <cstdio>

#include "agent/commands/command_support.hpp"
#include "agent/commands/commands.hpp"
#include "agent/config.hpp"
#include "agent/platform/platform.hpp"
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
    return 0;
}

namespace {

std::string text_of(const nlohmann::json& value) {
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_array()) {
        std::string out;
        for (const auto& item : value) {
            out += (out.empty() ? "" : ", ") + text_of(item);
        }
        return out.empty() ? "(none)" : out;
    }
    if (value.is_boolean()) {
        return value.get<bool>() ? "yes" : "no";
    }
    if (value.is_object() && value.contains("actions")) {  // Windows failure actions
        std::string out;
        for (const auto& a : value["actions"]) {
            out += (out.empty() ? "" : ", ") + a["type"].get<std::string>() + " after " +
                   std::to_string(a["delay_ms"].get<long long>()) + " ms";
        }
        return (out.empty() ? "none" : out) + "; count reset after " +
               std::to_string(value["reset_period_s"].get<long long>()) + " s";
    }
    return value.dump();
}

}  // namespace

int service_status(const std::string& name, bool json) {
    auto readback = service::read_back(name);
    const bool running = readback.installed && readback.settings.value("state", "") == "running";
    if (json) {
        nlohmann::json out = {{"name", name}, {"installed", readback.installed}};
        out.update(readback.settings);
        out["not_verifiable"] = readback.not_verifiable;
        std::printf("%s\n", out.dump(2).c_str());
    } else if (!readback.installed) {
        std::printf("%s: not installed (%s); install it with: swarm-bootstrap service install\n",
                    name.c_str(), readback.settings.value("manager", "").c_str());
    } else {
        std::printf("%s: installed (%s)\n", name.c_str(), readback.settings.value("manager", "").c_str());
        for (const auto& [key, value] : readback.settings.items()) {
            if (key != "manager") {
                std::printf("  %-24s %s\n", (key + ":").c_str(), text_of(value).c_str());
            }
        }
        for (const auto& [key, why] : readback.not_verifiable.items()) {
            std::printf("  %-24s not verifiable here: %s\n", (key + ":").c_str(),
                        why.get<std::string>().c_str());
        }
    }
    return running ? 0 : to_int(ExitCode::not_member);
}

}  // namespace sb::commands
