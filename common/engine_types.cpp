#include "common/engine_types.hpp"

namespace sb {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A peer's JSON may have any type anywhere: a field of the wrong type reads as absent, never throws.
bool boolean(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::uint64_t unsigned_number(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

const json& obj(const json& j, const char* key) {
    static const json empty = json::object();
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : empty;
}

}  // namespace

VersionInfo parse_version(const json& j) {
    return {str(j, "Version"), str(j, "ApiVersion"), str(j, "MinAPIVersion"),
            str(j, "Os"),      str(j, "Arch"),       str(j, "KernelVersion")};
}

EngineInfo parse_info(const json& j) {
    EngineInfo info;
    info.id = str(j, "ID");
    info.name = str(j, "Name");
    info.os_type = str(j, "OSType");
    info.operating_system = str(j, "OperatingSystem");
    info.os_version = str(j, "OSVersion");
    info.kernel_version = str(j, "KernelVersion");
    info.architecture = str(j, "Architecture");
    const auto& s = obj(j, "Swarm");
    info.swarm.node_id = str(s, "NodeID");
    info.swarm.node_addr = str(s, "NodeAddr");
    info.swarm.local_state = str(s, "LocalNodeState");
    info.swarm.control_available = boolean(s, "ControlAvailable");
    info.swarm.error = str(s, "Error");
    info.swarm.cluster_id = str(obj(s, "Cluster"), "ID");
    if (auto it = s.find("RemoteManagers"); it != s.end() && it->is_array()) {
        for (const auto& m : *it) {
            info.swarm.remote_managers.push_back({str(m, "NodeID"), str(m, "Addr")});
        }
    }
    return info;
}

SwarmInfo parse_swarm(const json& j) {
    const auto& tokens = obj(j, "JoinTokens");
    return {str(j, "ID"), Secret(str(tokens, "Worker")), Secret(str(tokens, "Manager"))};
}

Node parse_node(const json& j) {
    Node n;
    n.id = str(j, "ID");
    n.version = unsigned_number(obj(j, "Version"), "Index");
    n.spec = obj(j, "Spec");
    n.role = str(n.spec, "Role");
    n.availability = str(n.spec, "Availability");
    for (const auto& [k, v] : obj(n.spec, "Labels").items()) {
        if (v.is_string()) {
            n.labels[k] = v.get<std::string>();
        }
    }
    const auto& desc = obj(j, "Description");
    n.hostname = str(desc, "Hostname");
    n.os = str(obj(desc, "Platform"), "OS");
    n.architecture = str(obj(desc, "Platform"), "Architecture");
    const auto& status = obj(j, "Status");
    n.state = str(status, "State");
    n.addr = str(status, "Addr");
    const auto& ms = obj(j, "ManagerStatus");
    n.leader = boolean(ms, "Leader");
    n.reachability = str(ms, "Reachability");
    return n;
}

bool Task::terminal() const {
    return state == "complete" || state == "shutdown" || state == "failed" || state == "rejected" ||
           state == "orphaned" || state == "remove";
}

Task parse_task(const json& j) {
    Task t;
    t.id = str(j, "ID");
    t.service_id = str(j, "ServiceID");
    t.node_id = str(j, "NodeID");
    t.desired_state = str(j, "DesiredState");
    t.state = str(obj(j, "Status"), "State");
    t.slot = unsigned_number(j, "Slot");
    return t;
}

Service parse_service(const json& j) {
    Service s;
    s.id = str(j, "ID");
    const auto& spec = obj(j, "Spec");
    s.name = str(spec, "Name");
    const auto& mode = obj(spec, "Mode");
    if (mode.contains("Replicated")) {
        s.mode = ServiceMode::replicated;
        s.replicas = unsigned_number(obj(mode, "Replicated"), "Replicas");
    } else if (mode.contains("Global")) {
        s.mode = ServiceMode::global;
    }
    return s;
}

std::string task_filter_json(const TaskFilter& f) {
    json filters = json::object();
    if (!f.node_ids.empty()) {
        filters["node"] = f.node_ids;
    }
    if (!f.service_ids.empty()) {
        filters["service"] = f.service_ids;
    }
    if (!f.desired_state.empty()) {
        filters["desired-state"] = json::array({f.desired_state});
    }
    return filters.dump();
}

std::string join_request_body(const JoinRequest& r) {
    json body;
    body["ListenAddr"] = r.listen_addr;
    if (!r.advertise_addr.empty()) {
        body["AdvertiseAddr"] = r.advertise_addr;
    }
    if (!r.data_path_addr.empty()) {
        body["DataPathAddr"] = r.data_path_addr;
    }
    body["RemoteAddrs"] = json::array({r.remote_addr});
    body["JoinToken"] = r.token.reveal();
    if (!r.availability.empty()) {
        body["Availability"] = r.availability;
    }
    return body.dump();
}

}  // namespace sb
