#include "fakes/fake_engine.hpp"

#include <algorithm>

namespace sb::test {

namespace {

ApiError err(int status, std::string message) {
    ApiError e;
    e.status = status;
    e.kind = classify(status, message);
    e.message = std::move(message);
    return e;
}

// Tokens have the real shape: SWMTKN-1-<50-char digest>-<25-char secret>.
std::string make_token(const std::string& swarm_id, char role) {
    std::string digest(50, 'a');
    for (std::size_t i = 0; i < swarm_id.size() && i < 50; ++i) {
        digest[i] = static_cast<char>('a' + (static_cast<unsigned char>(swarm_id[i]) % 26));
    }
    return "SWMTKN-1-" + digest + "-" + std::string(24, role) + "1";
}

std::string digest_of(const std::string& token) {
    return token.size() > 59 ? token.substr(9, 50) : std::string();
}

const std::string not_manager_msg =
    "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this "
    "node to "
    "swarm and try again.";

}  // namespace

FakeEngine::FakeEngine(FakeWorld& world, std::string api_addr, std::string swarm_addr, std::string hostname)
    : world_(world),
      api_addr_(std::move(api_addr)),
      swarm_addr_(std::move(swarm_addr)),
      hostname_(std::move(hostname)) {}

std::optional<ApiError> FakeEngine::refuse() const {
    if (up) {
        return std::nullopt;
    }
    ApiError e;
    e.kind = ApiErrorKind::unreachable;
    e.message = "connect: Connection refused";
    return e;
}

std::optional<ApiError> FakeEngine::injected(std::string_view call) const {
    return fault ? fault(call) : std::nullopt;
}

std::optional<ApiError> FakeEngine::refuse_control() const {
    if (auto e = refuse()) {
        return e;
    }
    if (!cluster || !is_manager) {
        return manager_only_error();
    }
    return std::nullopt;
}

ApiError FakeEngine::manager_only_error() const {
    if (preparing) {
        return err(503,
                   "This node is not a swarm manager. Manager is being prepared or has trouble connecting to "
                   "the cluster.");
    }
    if (cluster && !is_manager) {
        return err(
            503,
            "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. "
            "Please run this command on a manager node or promote the current node to a manager.");
    }
    return err(503, not_manager_msg);
}

std::shared_ptr<FakeSwarm> FakeEngine::init_swarm(const std::string& id) {
    cluster = std::make_shared<FakeSwarm>();
    cluster->id = id;
    cluster->worker_token = make_token(id, 'w');
    cluster->manager_token = make_token(id, 'm');
    is_manager = true;
    node_id = id + "-node-" + std::to_string(cluster->next_node++);
    Node n;
    n.id = node_id;
    n.version = 10;
    n.hostname = hostname_;
    n.state = "ready";
    n.role = "manager";
    n.availability = "active";
    n.reachability = "reachable";
    n.leader = true;
    n.spec = {{"Labels", nlohmann::json::object()}, {"Role", "manager"}, {"Availability", "active"}};
    n.updated_at = world_.timestamp();
    cluster->nodes[node_id] = n;
    preparing = false;
    return cluster;
}

void FakeEngine::add_member(FakeEngine& other, bool manager) {
    JoinRequest req;
    req.remote_addr = swarm_addr_;
    req.token = Secret(manager ? cluster->manager_token : cluster->worker_token);
    other.join(req);
}

void FakeEngine::vanish() {
    stop();
    if (cluster) {
        world_.set_node_state(*cluster, node_id, "down");
        if (is_manager) {
            cluster->nodes[node_id].reachability = "unreachable";
        }
    }
}

void FakeEngine::come_back() {
    up = true;
    swarm_port_open = is_manager;
    if (cluster && cluster->nodes.count(node_id) != 0) {
        world_.set_node_state(*cluster, node_id, "ready");
        if (is_manager) {
            cluster->nodes[node_id].reachability = "reachable";
        }
    }
}

ApiResult<void> FakeEngine::ping() {
    if (auto e = refuse()) {
        return sb::unexpected(*e);
    }
    return {};
}

ApiResult<VersionInfo> FakeEngine::version() {
    if (auto e = refuse()) {
        return sb::unexpected(*e);
    }
    return VersionInfo{"20.10.24+dfsg1", "1.41", "1.12", os_type, "amd64", "6.1.0", date_header};
}

ApiResult<EngineInfo> FakeEngine::info() {
    if (auto e = injected("info")) {
        return sb::unexpected(*e);
    }
    if (auto e = refuse()) {
        return sb::unexpected(*e);
    }
    EngineInfo i;
    i.id = "engine-" + hostname_;
    i.name = hostname_;
    i.os_type = os_type;
    i.operating_system = os_type == "windows"
                             ? "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.3650)"
                             : "Debian GNU/Linux 12 (bookworm)";
    i.os_version = os_type == "windows" ? "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)" : "12";
    i.kernel_version =
        os_type == "windows" ? "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)" : "6.1.0";
    i.architecture = "x86_64";
    i.system_time = world_.timestamp();
    if (!local_state_override.empty()) {
        i.swarm.local_state = local_state_override;
        i.swarm.node_id = node_id;  // a join under way has its id once the manager issued its certificate
        return i;
    }
    if (!cluster) {
        i.swarm.local_state = preparing ? "pending" : "inactive";
        return i;
    }
    i.swarm.local_state = "active";
    i.swarm.node_id = node_id;
    i.swarm.control_available = is_manager;
    i.swarm.error = swarm_error;
    for (auto* m : world_.members(*cluster)) {
        if (m->is_manager) {
            i.swarm.remote_managers.push_back({m->node_id, m->swarm_addr()});
        }
    }
    if (is_manager) {
        i.swarm.cluster_id = cluster->id;
    }
    return i;
}

ApiResult<SwarmInfo> FakeEngine::swarm() {
    if (auto e = injected("swarm")) {
        return sb::unexpected(*e);
    }
    if (auto e = refuse_control()) {
        return sb::unexpected(*e);
    }
    return SwarmInfo{cluster->id, Secret(cluster->worker_token), Secret(cluster->manager_token)};
}

ApiResult<Node> FakeEngine::node(std::string_view id) {
    if (auto e = injected("node")) {
        return sb::unexpected(*e);
    }
    if (auto e = refuse_control()) {
        return sb::unexpected(*e);
    }
    auto it = cluster->nodes.find(std::string(id));
    if (it == cluster->nodes.end()) {
        return sb::unexpected(err(404, "node " + std::string(id) + " not found"));
    }
    return it->second;
}

ApiResult<std::vector<Node>> FakeEngine::nodes() {
    node_lists.emplace_back("*");
    return list_nodes("");
}

ApiResult<std::vector<Node>> FakeEngine::nodes_named(std::string_view name) {
    node_lists.emplace_back(name);
    return list_nodes(name);
}

ApiResult<std::vector<Node>> FakeEngine::list_nodes(std::string_view name_prefix) {
    if (auto e = refuse_control()) {
        return sb::unexpected(*e);
    }
    std::vector<Node> out;
    for (const auto& [id, n] : cluster->nodes) {
        if (n.hostname.starts_with(name_prefix)) {  // as a 20.10 manager filters: a prefix, case and all
            out.push_back(n);
        }
    }
    return out;
}

ApiResult<void> FakeEngine::update_node(std::string_view id, std::uint64_t version,
                                        const nlohmann::json& spec) {
    if (auto e = injected("update_node")) {
        return sb::unexpected(*e);
    }
    ++update_calls;
    if (auto e = refuse_control()) {
        return sb::unexpected(*e);
    }
    auto it = cluster->nodes.find(std::string(id));
    if (it == cluster->nodes.end()) {
        return sb::unexpected(err(404, "node " + std::string(id) + " not found"));
    }
    if (cluster->out_of_sequence_left > 0 || version != it->second.version) {
        if (cluster->out_of_sequence_left > 0) {
            --cluster->out_of_sequence_left;
            ++it->second.version;  // someone else updated the node meanwhile
        }
        return sb::unexpected(err(500, "rpc error: code = Unknown desc = update out of sequence"));
    }
    if (!spec.contains("Role") || spec["Role"] == "") {
        return sb::unexpected(err(400, "invalid Role: \"\""));
    }
    if (!spec.contains("Availability") || spec["Availability"] == "") {
        return sb::unexpected(err(400, "invalid Availability: \"\""));
    }
    if (spec["Role"] == "worker" && it->second.role == "manager") {
        int managers = 0;
        for (const auto& [nid, other] : cluster->nodes) {
            managers += other.role == "manager" ? 1 : 0;
        }
        if (managers <= 1) {
            return sb::unexpected(
                err(400,
                    "rpc error: code = FailedPrecondition desc = attempting to demote the last manager of "
                    "the swarm"));
        }
    }
    auto& n = it->second;
    n.spec = spec;
    n.labels.clear();
    if (spec.contains("Labels")) {
        for (auto& [k, v] : spec["Labels"].items()) {
            n.labels[k] = v.get<std::string>();
        }
    }
    if (n.role == "manager" && spec["Role"] != "manager") {
        cluster->demoted.insert(n.id);
    }
    n.role = spec["Role"];
    n.availability = spec["Availability"];
    n.reachability = n.role == "manager" ? (n.reachability.empty() ? "reachable" : n.reachability) : "";
    n.updated_at = world_.timestamp();
    ++n.version;
    ++cluster->updates;
    for (auto* member : world_.members(*cluster)) {
        if (member->node_id == n.id) {
            member->is_manager = n.role == "manager";  // a demoted engine stops serving control requests
        }
    }
    return {};
}

ApiResult<std::vector<Task>> FakeEngine::tasks(const TaskFilter& filter) {
    if (auto e = refuse_control()) {
        return sb::unexpected(*e);
    }
    ++cluster->task_calls;
    auto in = [](const std::vector<std::string>& wanted, const std::string& v) {
        return wanted.empty() || std::find(wanted.begin(), wanted.end(), v) != wanted.end();
    };
    std::vector<Task> out;
    for (const auto& t : cluster->tasks) {
        if (in(filter.node_ids, t.node_id) && in(filter.service_ids, t.service_id) &&
            (filter.desired_state.empty() || filter.desired_state == t.desired_state)) {
            out.push_back(t);
        }
    }
    return out;
}

ApiResult<std::vector<Service>> FakeEngine::services() {
    if (auto e = refuse_control()) {
        return sb::unexpected(*e);
    }
    std::vector<Service> out;
    for (const auto& [id, svc] : cluster->services) {
        out.push_back(svc);
    }
    return out;
}

ApiResult<void> FakeEngine::remove_node(std::string_view id, bool force) {
    ++remove_calls;
    if (auto e = refuse_control()) {
        return sb::unexpected(*e);
    }
    auto it = cluster->nodes.find(std::string(id));
    if (it == cluster->nodes.end()) {
        return sb::unexpected(err(404, "node " + std::string(id) + " not found"));
    }
    if (it->second.state != "down" && !force) {
        return sb::unexpected(err(400, "rpc error: code = FailedPrecondition desc = node " + std::string(id) +
                                           " is not down and can't be removed"));
    }
    bool leaving_raft = cluster->demoted.count(it->first) != 0 && cluster->raft_member_left > 0;
    if (it->second.role == "manager" || leaving_raft) {
        if (it->second.role != "manager") {
            --cluster->raft_member_left;
        }
        return sb::unexpected(err(400, "rpc error: code = FailedPrecondition desc = node " + std::string(id) +
                                           " is a cluster manager and is a member of the raft cluster. It "
                                           "must be demoted to worker before removal"));
    }
    cluster->nodes.erase(it);
    return {};
}

ApiResult<void> FakeEngine::join(const JoinRequest& request) {
    ++join_calls;
    join_remote_addrs.push_back(request.remote_addr);
    join_tokens.push_back(request.token.reveal());
    if (auto e = refuse()) {
        return sb::unexpected(*e);
    }
    if (cluster || !local_state_override.empty()) {
        return sb::unexpected(
            err(503,
                "This node is already part of a swarm. Use \"docker swarm leave\" to leave this "
                "swarm and join another one."));
    }
    if (request.listen_addr.empty()) {
        return sb::unexpected(err(400, "invalid ListenAddr \"\": invalid empty address"));
    }
    auto* target = world_.by_swarm_addr(request.remote_addr);
    if (target == nullptr || !target->swarm_port_open || !target->cluster || !target->is_manager) {
        return sb::unexpected(
            err(503,
                "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error "
                "while dialing dial tcp " +
                    request.remote_addr + ": connect: connection refused\""));
    }
    const auto& token = request.token.reveal();
    auto& s = *target->cluster;
    if (token.rfind("SWMTKN-1-", 0) != 0) {
        return sb::unexpected(err(500, "invalid join token"));
    }
    if (digest_of(token) != digest_of(s.worker_token)) {
        return sb::unexpected(
            err(500, "remote CA does not match fingerprint. Expected: " + std::string(64, 'f')));
    }
    bool as_manager = token == s.manager_token;
    if (!as_manager && token != s.worker_token) {
        return sb::unexpected(err(
            400,
            "rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster"));
    }
    cluster = target->cluster;
    is_manager = as_manager;
    node_id = s.id + "-node-" + std::to_string(s.next_node++);
    Node n;
    n.id = node_id;
    n.version = 20;
    n.hostname = hostname_;
    n.state = "ready";
    n.role = as_manager ? "manager" : "worker";
    n.availability = request.availability.empty() ? "active" : request.availability;
    n.reachability = as_manager ? "reachable" : "";
    n.spec = {{"Labels", nlohmann::json::object()}, {"Role", n.role}, {"Availability", n.availability}};
    n.updated_at = world_.timestamp();
    s.nodes[node_id] = n;
    return {};
}

ApiResult<void> FakeEngine::leave(bool force) {
    if (auto e = injected("leave")) {
        return sb::unexpected(*e);
    }
    ++leave_calls;
    if (auto e = refuse()) {
        return sb::unexpected(*e);
    }
    if (!local_state_override.empty()) {
        local_state_override.clear();
        cluster.reset();  // an entry the manager already has stays there
        is_manager = false;
        node_id.clear();
        return {};
    }
    if (!cluster) {
        return sb::unexpected(err(503, "This node is not part of a swarm"));
    }
    if (is_manager && !force) {
        return sb::unexpected(
            err(503,
                "You are attempting to leave the swarm on a node that is participating as a "
                "manager. Removing the last manager erases all current state of the swarm. Use "
                "`--force` to ignore this message. "));
    }
    if (cluster->leave_marks_down) {
        world_.set_node_state(*cluster, node_id, "down");
    }
    cluster.reset();
    is_manager = false;
    node_id.clear();
    return {};
}

Service& FakeSwarm::add_service(const std::string& name, ServiceMode mode, std::uint64_t replicas) {
    Service svc;
    svc.id = "svc-" + name;
    svc.name = name;
    svc.mode = mode;
    svc.replicas = mode == ServiceMode::replicated ? replicas : 0;
    return services[svc.id] = svc;
}

Task& FakeSwarm::add_task(const std::string& service_id, const std::string& node_id,
                          const std::string& state) {
    Task t;
    t.id = "task-" + std::to_string(next_task++);
    t.service_id = service_id;
    t.node_id = node_id;
    t.desired_state = "running";
    t.state = state;
    tasks.push_back(t);
    return tasks.back();
}

int FakeSwarm::running(const std::string& service_id, const std::string& except_node) const {
    int n = 0;
    for (const auto& t : tasks) {
        n += t.service_id == service_id && t.state == "running" && t.node_id != except_node ? 1 : 0;
    }
    return n;
}

FakeEngine& FakeWorld::add(const std::string& ip, const std::string& hostname) {
    engines.push_back(std::make_unique<FakeEngine>(*this, ip + ":2375", ip + ":2377", hostname));
    return *engines.back();
}

FakeEngine* FakeWorld::by_api(const std::string& api_addr) {
    for (auto& e : engines) {
        if (e->address() == api_addr) {
            return e.get();
        }
    }
    return nullptr;
}

FakeEngine* FakeWorld::by_swarm_addr(const std::string& swarm_addr) {
    for (auto& e : engines) {
        if (e->swarm_addr() == swarm_addr) {
            return e.get();
        }
    }
    return nullptr;
}

void FakeWorld::set_node_state(FakeSwarm& s, const std::string& node_id, const std::string& state) {
    auto it = s.nodes.find(node_id);
    if (it == s.nodes.end()) {
        return;
    }
    it->second.state = state;
    it->second.updated_at = timestamp();
    ++it->second.version;
}

std::string FakeWorld::timestamp() {
    if (clock == nullptr) {
        return {};
    }
    return format_engine_time(epoch + clock->now().time_since_epoch());
}

std::vector<FakeEngine*> FakeWorld::members(const FakeSwarm& s) {
    std::vector<FakeEngine*> out;
    for (auto& e : engines) {
        if (e->cluster.get() == &s) {
            out.push_back(e.get());
        }
    }
    return out;
}

namespace {

// Forwards to an engine of the world, or is refused when nothing listens at that address.
class FakeConnection final : public EngineApi {
  public:
    FakeConnection(FakeEngine* target, std::string addr) : target_(target), addr_(std::move(addr)) {}
    std::string address() const override { return addr_; }
    ApiResult<void> ping() override { return target_ ? target_->ping() : refused<void>(); }
    ApiResult<VersionInfo> version() override {
        return target_ ? target_->version() : refused<VersionInfo>();
    }
    ApiResult<EngineInfo> info() override { return target_ ? target_->info() : refused<EngineInfo>(); }
    ApiResult<SwarmInfo> swarm() override { return target_ ? target_->swarm() : refused<SwarmInfo>(); }
    ApiResult<Node> node(std::string_view id) override {
        return target_ ? target_->node(id) : refused<Node>();
    }
    ApiResult<std::vector<Node>> nodes() override {
        return target_ ? target_->nodes() : refused<std::vector<Node>>();
    }
    ApiResult<std::vector<Node>> nodes_named(std::string_view name) override {
        return target_ ? target_->nodes_named(name) : refused<std::vector<Node>>();
    }
    ApiResult<void> update_node(std::string_view id, std::uint64_t v, const nlohmann::json& spec) override {
        return target_ ? target_->update_node(id, v, spec) : refused<void>();
    }
    ApiResult<void> remove_node(std::string_view id, bool force) override {
        return target_ ? target_->remove_node(id, force) : refused<void>();
    }
    ApiResult<std::vector<Task>> tasks(const TaskFilter& f) override {
        return target_ ? target_->tasks(f) : refused<std::vector<Task>>();
    }
    ApiResult<std::vector<Service>> services() override {
        return target_ ? target_->services() : refused<std::vector<Service>>();
    }
    ApiResult<void> join(const JoinRequest& r) override {
        return target_ ? target_->join(r) : refused<void>();
    }
    ApiResult<void> leave(bool force) override { return target_ ? target_->leave(force) : refused<void>(); }

  private:
    template <class T>
    static ApiResult<T> refused() {
        ApiError e;
        e.kind = ApiErrorKind::unreachable;
        e.message = "connect: Connection refused";
        return sb::unexpected(e);
    }
    FakeEngine* target_;
    std::string addr_;
};

}  // namespace

std::unique_ptr<EngineApi> FakeWorld::connect(const Endpoint& ep) {
    auto addr = ep.authority();
    connects.insert(addr);
    return std::make_unique<FakeConnection>(by_api(addr), addr);
}

Services fake_services(FakeWorld& world, Clock& clock, FakeEngine& local, std::uint64_t seed) {
    Services services;
    services.clock = &clock;
    services.random = make_uniform_random(seed);
    services.local = &local;
    services.connect_manager = [&world](const Endpoint& ep) { return world.connect(ep); };
    services.resolve = [](const std::string&) { return std::vector<std::string>{}; };
    services.probe_swarm_port = [&world](const std::string& host, std::uint16_t port,
                                         Duration) -> sb::expected<void, std::string> {
        auto* e = world.by_swarm_addr(join_host_port(host, port));
        if (e != nullptr && e->swarm_port_open) {
            return {};
        }
        return sb::unexpected(std::string("connect: Connection refused"));
    };
    return services;
}

}  // namespace sb::test
