#include "agent/check/gather.hpp"

#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>

namespace sb::check {

namespace {

// Runs tasks through `spawn` (or inline) and waits for all of them. The count, its mutex and condition
// variable belong to every task as much as to the group: the last task may still be inside the unlock when
// the waiter wakes, returns and destroys the group.
class TaskGroup {
  public:
    explicit TaskGroup(const std::function<void(std::function<void()>)>& spawn) : spawn_(spawn) {}
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;
    ~TaskGroup() { wait(); }

    void run(std::function<void()> task) {
        if (!spawn_) {
            task();
            return;
        }
        {
            std::lock_guard lock(state_->mutex);
            ++state_->pending;
        }
        spawn_([state = state_, task = std::move(task)] {
            task();
            std::lock_guard lock(state->mutex);
            if (--state->pending == 0) {
                state->done.notify_all();
            }
        });
    }
    void wait() {
        std::unique_lock lock(state_->mutex);
        state_->done.wait(lock, [this] { return state_->pending == 0; });
    }

  private:
    struct State {
        std::mutex mutex;
        std::condition_variable done;
        int pending = 0;
    };
    const std::function<void(std::function<void()>)>& spawn_;
    std::shared_ptr<State> state_ = std::make_shared<State>();
};

constexpr std::uint16_t swarm_port = 2377;
constexpr std::uint16_t gossip_port = 7946;

void ask_manager(ManagerFacts& m, const ManagerTarget& target, const Probes& probes) {
    auto& api = *target.api;
    m.sent = probes.now();
    auto version = api.version();
    m.received = probes.now();
    if (!version) {
        m.api_error = version.error();
        return;
    }
    m.version = *version;
    if (target.swarm) {
        m.swarm = target.swarm;
    } else if (auto swarm = api.swarm(); swarm) {
        m.swarm = *swarm;
    } else {
        m.swarm_error = swarm.error();
        return;
    }
    if (auto nodes = api.nodes(); nodes) {
        m.nodes = std::move(*nodes);
    } else {
        m.swarm_error = nodes.error();
    }
}

}  // namespace

const ManagerFacts* Facts::manager_with_nodes() const {
    for (const auto& m : managers) {
        if (m.nodes) {
            return &m;
        }
    }
    return nullptr;
}

Facts gather(const GatherInput& input, const Probes& probes) {
    Facts f;
    f.windows = input.windows;
    f.prune_stale_nodes = input.prune_stale_nodes;
    f.labels = input.labels;
    f.own_node_ids = input.own_node_ids;
    f.managers.resize(input.managers.size());
    {
        TaskGroup tasks(probes.spawn);
        if (input.local_version && input.local_info) {
            f.local_version = *input.local_version;
            f.local_info = *input.local_info;
        } else {
            tasks.run([&] {
                auto version = input.local->version();
                auto info =
                    version ? input.local->info() : ApiResult<EngineInfo>(sb::unexpected(version.error()));
                if (!info) {
                    f.local_error = info.error();
                    return;
                }
                f.local_version = *version;
                f.local_info = *info;
            });
        }
        tasks.run([&] { f.addresses = probes.local_addresses(); });
        for (std::size_t i = 0; i < input.managers.size(); ++i) {
            auto& m = f.managers[i];
            const auto& target = input.managers[i];
            m.address = target.endpoint.authority();
            m.host = target.endpoint.host;
            auto* mp = &m;
            const auto* tp = &target;
            tasks.run([&probes, mp, tp] { ask_manager(*mp, *tp, probes); });
            tasks.run([&probes, &input, mp] {
                mp->swarm_port = probes.tcp_open(mp->host, swarm_port, input.port_timeout);
            });
            tasks.run([&probes, &input, mp] {
                mp->gossip_port = probes.tcp_open(mp->host, gossip_port, input.port_timeout);
            });
            tasks.run([&probes, mp] { mp->path_mtu = probes.path_mtu(mp->host); });
        }
    }
    f.windows = f.windows || f.local_info.os_type == "windows";
    f.host_name = !f.local_info.name.empty() ? f.local_info.name : probes.host_name();
    if (!f.local_error) {
        f.own_node_ids.insert(f.local_info.swarm.node_id);
        f.own_node_ids.erase("");
    }
    for (const auto& m : f.managers) {
        if (m.swarm && m.swarm->data_path_port != 0) {
            f.data_path_port = m.swarm->data_path_port;
            f.data_path_port_from_swarm = true;
            break;
        }
    }
    // A member's own VXLAN holds the port: only a node that is not one yet can tell.
    if (!f.member()) {
        f.data_path_port_free = probes.udp_port_free(static_cast<std::uint16_t>(f.data_path_port));
    }
    if (probes.firewall) {
        f.firewall = probes.firewall({{swarm_port, "tcp", false},
                                      {gossip_port, "tcp", false},
                                      {gossip_port, "udp", false},
                                      {static_cast<std::uint16_t>(f.data_path_port), "udp", false}});
    } else {
        f.firewall = sb::unexpected(std::string("no host firewall API on this platform"));
    }
    return f;
}

}  // namespace sb::check
