// Linux: `service status` reads back what systemd keeps of the unit (`systemctl show`).

#include <systemd/sd-daemon.h>

#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "agent/service/service_status.hpp"
#include "agent/service/systemctl.hpp"
#include "agent/service/systemd_unit.hpp"
#include "common/error.hpp"

namespace sb::service {

namespace {

using systemd::check_name;
using systemd::systemctl;

std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::string word;
    for (char c : text + " ") {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!word.empty()) {
                out.push_back(word);
            }
            word.clear();
        } else {
            word.push_back(c);
        }
    }
    return out;
}

// ExecStart as systemctl show prints it: "{ path=/usr/bin/x ; argv[]=/usr/bin/x run --config /etc/... ; ...
// }".
std::string exec_start_command(const std::string& value) {
    auto begin = value.find("argv[]=");
    if (begin == std::string::npos) {
        return value;
    }
    begin += 7;
    auto end = value.find(" ;", begin);
    return value.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

}  // namespace

ServiceReadback read_back(const std::string& name) {
    check_name(name);
    const std::string unit = name + ".service";
    if (sd_booted() <= 0) {
        throw Failure(ExitCode::usage,
                      "systemd is not running on this machine, so there is no service to report on; "
                      "`swarm-bootstrap status` reports on the node");
    }
    std::vector<std::string> lines;
    auto outcome =
        systemctl({"show", unit,
                   "--property=LoadState,ActiveState,SubState,UnitFileState,FragmentPath,ExecStart,"
                   "User,Wants,Requires,After,Restart,RestartUSec,Type,WatchdogUSec,MainPID"},
                  &lines);
    if (outcome.code != 0) {
        throw Failure(ExitCode::internal, "systemctl show " + unit + " failed (exit " +
                                              std::to_string(outcome.code) + "): " + outcome.last_line);
    }
    std::map<std::string, std::string> props;
    for (const auto& line : lines) {
        if (auto eq = line.find('='); eq != std::string::npos) {
            props[line.substr(0, eq)] = line.substr(eq + 1);
        }
    }
    ServiceReadback out;
    auto& settings = out.settings;
    settings["manager"] = "systemd";
    if (props["LoadState"] != "loaded") {
        return out;  // "not-found": no such unit
    }
    out.installed = true;
    settings["state"] = props["ActiveState"] == "active" && props["SubState"] == "running"
                            ? std::string("running")
                            : props["ActiveState"] + " (" + props["SubState"] + ")";
    if (props["MainPID"] != "0" && !props["MainPID"].empty()) {
        settings["pid"] = std::stol(props["MainPID"]);
    }
    settings["start_type"] = props["UnitFileState"];  // enabled, disabled, static, ...
    settings["unit_file"] = props["FragmentPath"];
    settings["command"] = exec_start_command(props["ExecStart"]);
    settings["account"] = props["User"].empty() ? std::string("root") : props["User"];
    settings["type"] = props["Type"];
    settings["wants"] = words(props["Wants"]);
    settings["requires"] = words(props["Requires"]);
    settings["after"] = words(props["After"]);
    settings["restart"] = props["Restart"];
    settings["restart_delay"] = props["RestartUSec"];
    settings["watchdog"] = props["WatchdogUSec"];
    return out;
}

}  // namespace sb::service
