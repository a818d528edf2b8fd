#include "agent/node/status_report.hpp"

#include "agent/node/manager_probe.hpp"

namespace sb {

StatusReport collect_status(EngineApi& local, const std::vector<Endpoint>& managers,
                            const ManagerClient& client, const Spawn& spawn, bool managers_configured) {
    StatusReport r;
    r.engine = local.address();
    auto version = local.version();
    auto info = version ? local.info() : ApiResult<EngineInfo>(sb::unexpected(version.error()));
    if (!info) {
        r.engine_problem = info.error().describe();
    } else {
        r.engine_reachable = true;
        r.engine_version = version->version;
        r.os = info->os_type;
        r.hostname = info->name;
        r.local_state = info->swarm.local_state;
        r.swarm_error = info->swarm.error;
        r.node_id = info->swarm.node_id;
        r.cluster_id = info->swarm.cluster_id;
    }

    auto probes = probe_managers(managers, client, spawn);
    EngineApi* manager = nullptr;
    for (const auto& p : probes) {
        r.managers.push_back(
            {p.endpoint.authority(), p.ready.has_value(), p.error ? p.error->describe() : ""});
        if (p.ready && manager == nullptr) {
            manager = p.ready->api.get();
            if (r.cluster_id.empty()) {
                r.cluster_id = p.ready->info.swarm.cluster_id;
            }
        }
    }
    // A manager node can answer for itself.
    if (manager == nullptr && info && info->swarm.control_available) {
        manager = &local;
    }
    if (!r.node_id.empty()) {
        if (manager == nullptr && !managers_configured) {
            r.membership_unknown = true;
            r.node_problem = "no manager is configured (--manager), so membership is unknown";
        } else if (manager == nullptr) {
            r.membership_unknown = true;
            r.node_problem = "no manager answers, so membership is unknown";
        } else if (auto node = manager->node(r.node_id)) {
            r.node = *node;
        } else {
            r.node_problem = node.error().describe();
        }
    }
    return r;
}

nlohmann::json to_json(const StatusReport& r) {
    nlohmann::json j;
    j["member"] = r.member();
    j["membership_known"] = !r.membership_unknown;
    j["engine"] = {{"address", r.engine},
                   {"reachable", r.engine_reachable},
                   {"error", r.engine_problem},
                   {"version", r.engine_version},
                   {"os", r.os},
                   {"hostname", r.hostname}};
    j["swarm"] = {{"local_state", r.local_state},
                  {"node_id", r.node_id},
                  {"cluster_id", r.cluster_id},
                  {"error", r.swarm_error}};
    if (r.node) {
        j["node"] = {{"id", r.node->id},          {"hostname", r.node->hostname},
                     {"role", r.node->role},      {"availability", r.node->availability},
                     {"state", r.node->state},    {"addr", r.node->addr},
                     {"labels", r.node->labels},  {"manager_reachability", r.node->reachability},
                     {"version", r.node->version}};
    } else {
        j["node"] = nullptr;
    }
    j["node_error"] = r.node_problem;
    j["managers"] = nlohmann::json::array();
    for (const auto& m : r.managers) {
        j["managers"].push_back({{"address", m.address}, {"ready", m.ready}, {"error", m.problem}});
    }
    j["last_run"] = r.last_run ? to_json(*r.last_run) : nlohmann::json(nullptr);
    return j;
}

std::string to_text(const StatusReport& r) {
    std::string out;
    auto line = [&](const std::string& k, const std::string& v) {
        out += k + std::string(14 - std::min<std::size_t>(k.size(), 13), ' ') + v + "\n";
    };
    line("member:", r.member() ? "yes" : (r.membership_unknown ? "unknown" : "no"));
    line("engine:", r.engine + (r.engine_reachable ? " (Docker " + r.engine_version + ", " + r.os + ")"
                                                   : " unreachable: " + r.engine_problem));
    line("swarm state:", r.local_state.empty()
                             ? "unknown"
                             : r.local_state + (r.swarm_error.empty() ? "" : " (" + r.swarm_error + ")"));
    line("node id:", r.node_id.empty() ? "-" : r.node_id);
    line("cluster id:", r.cluster_id.empty() ? "-" : r.cluster_id);
    if (r.node) {
        line("role:", r.node->role + (r.node->reachability.empty() ? "" : " (" + r.node->reachability + ")"));
        line("availability:", r.node->availability);
        line("state:", r.node->state);
        std::string labels;
        for (const auto& [k, v] : r.node->labels) {
            labels += (labels.empty() ? "" : ", ") + k + "=" + v;
        }
        line("labels:", labels.empty() ? "-" : labels);
    } else if (!r.node_problem.empty()) {
        line("manager view:", r.node_problem);
    }
    for (const auto& m : r.managers) {
        line("manager:", m.address + (m.ready ? " ready" : " not ready: " + m.problem));
    }
    if (r.last_run) {
        line("last run:", r.last_run->command + " " + r.last_run->outcome + " at " + r.last_run->finished_at +
                              (r.last_run->message.empty() ? "" : " (" + r.last_run->message + ")"));
    }
    return out;
}

}  // namespace sb
