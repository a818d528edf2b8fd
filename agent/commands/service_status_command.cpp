#include "agent/commands/service_status_command.hpp"

#include <cstdio>
#include <memory>

#include "agent/commands/command_line.hpp"
#include "agent/service/service_host.hpp"
#include "agent/service/service_status.hpp"
#include "common/exit_code.hpp"

namespace sb::commands {

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

void setup_service_status(CLI::App& parent, CommandLine& cl) {
    auto as_json = std::make_shared<bool>(false);
    auto* sub = parent.add_subcommand(
        "status", "what the service manager reports about the service (read back); exit 0 only when running");
    sub->add_flag("--json", *as_json, "print JSON");
    cl.actions[sub] = [as_json] { return service_status(service::InstallOptions{}.name, *as_json); };
}

}  // namespace sb::commands
